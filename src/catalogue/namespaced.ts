// NamespacedCloudProfiles in the catalogue: a raw NamespacedCloudProfile and its parent's prepared
// CloudProfile become the merged profile (src/core/namespaced-cloudprofile.ts, as Gardener's
// controller computes status.cloudProfileSpec), prepared like any CloudProfile (./prepare.ts).
// The cache holds one merged profile per `namespace/name`, prepared again when the namespaced
// profile's or the parent's resourceVersion changes, so either change counts at the next lookup.
import { readNamespacedCloudProfile } from '../admission/object-shape.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import { renderFieldErrors } from '../core/field-errors.js';
import { joinedResourceVersion, mergedCloudProfile } from '../core/namespaced-cloudprofile.js';
import type { CatalogueCacheHandlers } from './catalogue-cache.js';
import { prepareCloudProfile, type PreparedCloudProfile, unsafeDocumentReason } from './prepare.js';

/** `namespace/name` of a raw object ('' parts when absent). */
export function namespacedKeyOf(raw: unknown): string {
  const metadata = (raw as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const part = (v: unknown): string => (typeof v === 'string' ? v : '');
  return `${part(metadata?.namespace)}/${part(metadata?.name)}`;
}

/**
 * Shape-checks a NamespacedCloudProfile, merges it into its parent (looked up by `parentOf`, which
 * returns prepared CloudProfiles) and prepares the result. Never throws; `name` is `namespace/name`.
 */
export function prepareNamespacedCloudProfile(raw: unknown, parentOf: (name: string) => CatalogueIndex | undefined): PreparedCloudProfile {
  const name = namespacedKeyOf(raw);
  const unsafe = unsafeDocumentReason(raw);
  if (unsafe !== undefined) return { ok: false, name, reason: unsafe };
  const read = readNamespacedCloudProfile(raw);
  if (!read.ok) return { ok: false, name, reason: renderFieldErrors(read.errors) };
  const { parent } = read.object.spec;
  if (parent.kind !== CLOUD_PROFILE_KIND) {
    return { ok: false, name, reason: `spec.parent.kind: Unsupported value: ${JSON.stringify(parent.kind ?? '')}: supported values: "CloudProfile"` };
  }
  const parentIndex = parentOf(parent.name);
  if (!parentIndex) return { ok: false, name, reason: `parent CloudProfile ${JSON.stringify(parent.name)} not found` };
  const prepared = prepareCloudProfile(mergedCloudProfile(read.object, parentIndex.profile), parentIndex.root);
  return prepared.ok ? { ...prepared, name } : { ok: false, name, reason: prepared.reason };
}

/** Merged profiles by `namespace/name`, prepared once per pair of resourceVersions (namespaced profile, parent). */
export class NamespacedCatalogueCache {
  private readonly entries = new Map<string, { versions: string; prepared: PreparedCloudProfile }>();

  constructor(private readonly handlers: CatalogueCacheHandlers = {}) {}

  /** The merged index for this raw NamespacedCloudProfile, or undefined when it cannot be used (reported once per change). */
  get(raw: unknown, parentOf: (name: string) => CatalogueIndex | undefined): CatalogueIndex | undefined {
    const key = namespacedKeyOf(raw);
    const parentName = (raw as { spec?: { parent?: { name?: unknown } } } | null)?.spec?.parent?.name;
    const parent = typeof parentName === 'string' ? parentOf(parentName) : undefined;
    const ownVersion = (raw as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
    // A missing parent is a state of its own (cached until either side changes); an object without a
    // resourceVersion is never cached.
    const parentVersion = parent === undefined ? 'no parent' : parent.profile.metadata.resourceVersion;
    const versions = joinedResourceVersion(ownVersion, parentVersion) ?? '';
    const cached = this.entries.get(key);
    if (cached && versions !== '' && cached.versions === versions) {
      return cached.prepared.ok ? cached.prepared.index : undefined;
    }
    const prepared = prepareNamespacedCloudProfile(raw, parentOf);
    this.entries.set(key, { versions, prepared });
    if (!prepared.ok) this.handlers.onUnusable?.(key, prepared.reason);
    return prepared.ok ? prepared.index : undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
