// Where the webhook finds CloudProfiles: an index per profile name, built once per profile
// version. Two implementations: files given on the command line (here) and an informer on the
// cluster (src/kube/cloudprofile-informer.ts).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { readCloudProfile } from '../admission/object-shape.js';
import { assertSafeDocument } from '../admission/review.js';
import { defaultCloudProfile, indexCloudProfile, type CatalogueIndex } from '../core/cloudprofile.js';
import type { CloudProfile } from '../core/cloudprofile-types.js';
import { renderFieldErrors } from '../core/field-errors.js';

export interface CloudProfileSource {
  get(name: string): CatalogueIndex | undefined;
  /** True once the source has seen every profile at least once (the informer's first list). */
  synced(): boolean;
}

export type PreparedCloudProfile =
  | { ok: true; name: string; profile: CloudProfile; index: CatalogueIndex }
  | { ok: false; name: string; reason: string };

/** Shape-checks, defaults and indexes one CloudProfile object (as read from a file or the API). */
export function prepareCloudProfile(raw: unknown): PreparedCloudProfile {
  const rawName = (raw as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  const name = typeof rawName === 'string' ? rawName : '';
  try {
    assertSafeDocument(raw);
  } catch (err) {
    return { ok: false, name, reason: err instanceof Error ? err.message : String(err) };
  }
  const read = readCloudProfile(raw);
  if (!read.ok) return { ok: false, name, reason: renderFieldErrors(read.errors) };
  if (!name) return { ok: false, name, reason: 'metadata.name: Required value' };
  try {
    const profile = defaultCloudProfile(read.object); // a copy: defaulting may change it
    return { ok: true, name, profile, index: indexCloudProfile(profile) };
  } catch (err) {
    return { ok: false, name, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** A fixed set of profiles; always synced. */
export class StaticCloudProfileSource implements CloudProfileSource {
  private readonly byName = new Map<string, CatalogueIndex>();

  constructor(profiles: readonly { name: string; index: CatalogueIndex }[] = []) {
    for (const p of profiles) this.byName.set(p.name, p.index);
  }

  get(name: string): CatalogueIndex | undefined {
    return this.byName.get(name);
  }

  synced(): boolean {
    return true;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/** The objects in a YAML or JSON file (several YAML documents allowed; `List`s are unpacked). */
export function readObjectsFromFile(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`, { cause: err });
  }
  const objects: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${path} is not valid YAML or JSON: ${(doc.errors[0]?.message ?? '').split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const items = (value as { kind?: unknown; items?: unknown }).items;
    if ((value as { kind?: unknown }).kind === 'List' && Array.isArray(items)) objects.push(...(items as unknown[]));
    else objects.push(value);
  }
  return objects;
}

/** Loads CloudProfiles from files; an unusable profile is an error with a one-line message. */
export function loadCloudProfileFiles(paths: readonly string[]): StaticCloudProfileSource {
  const prepared: { name: string; index: CatalogueIndex }[] = [];
  for (const path of paths) {
    const profiles = readObjectsFromFile(path).filter((o) => (o as { kind?: unknown }).kind === 'CloudProfile');
    if (profiles.length === 0) throw new Error(`${path} contains no object of kind CloudProfile`);
    for (const object of profiles) {
      const p = prepareCloudProfile(object);
      if (!p.ok) throw new Error(`${path}: CloudProfile ${JSON.stringify(p.name)} is unusable: ${p.reason}`);
      prepared.push(p);
    }
  }
  return new StaticCloudProfileSource(prepared);
}
