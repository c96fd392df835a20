// CloudProfiles and NamespacedCloudProfiles from files (the webhook's, review's and plan's
// --cloud-profile): YAML with several documents or `List`s, or JSON; each profile prepared as the
// cluster's are (./prepare.ts, ./namespaced.ts).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import { prepareNamespacedCloudProfile } from './namespaced.js';
import { prepareCloudProfile } from './prepare.js';
import { StaticCloudProfileSource } from './static-source.js';

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

/**
 * Loads CloudProfiles and NamespacedCloudProfiles from files (any order across files: each
 * NamespacedCloudProfile is merged into its parent once all CloudProfiles are read). An unusable
 * profile, or a NamespacedCloudProfile whose parent is not among the files, is an error with a
 * one-line message.
 */
export function loadCloudProfileFiles(paths: readonly string[]): StaticCloudProfileSource {
  const prepared: { name: string; index: CatalogueIndex }[] = [];
  const namespacedObjects: { path: string; object: unknown }[] = [];
  for (const path of paths) {
    const objects = readObjectsFromFile(path);
    const kindOf = (o: unknown): unknown => (o as { kind?: unknown } | null)?.kind;
    const profiles = objects.filter((o) => kindOf(o) === CLOUD_PROFILE_KIND);
    const namespaced = objects.filter((o) => kindOf(o) === NAMESPACED_CLOUD_PROFILE_KIND);
    if (profiles.length === 0 && namespaced.length === 0) {
      throw new Error(`${path} contains no object of kind CloudProfile or NamespacedCloudProfile`);
    }
    for (const object of profiles) {
      const p = prepareCloudProfile(object);
      if (!p.ok) throw new Error(`${path}: CloudProfile ${JSON.stringify(p.name)} is unusable: ${p.reason}`);
      prepared.push(p);
    }
    for (const object of namespaced) namespacedObjects.push({ path, object });
  }
  const byName = new Map(prepared.map((p) => [p.name, p.index]));
  const merged: { name: string; index: CatalogueIndex }[] = [];
  for (const { path, object } of namespacedObjects) {
    const p = prepareNamespacedCloudProfile(object, (name) => byName.get(name));
    if (!p.ok) {
      const hint = p.reason.startsWith('parent CloudProfile') ? ' (give the parent with another --cloud-profile)' : '';
      throw new Error(`${path}: NamespacedCloudProfile ${JSON.stringify(p.name)} is unusable: ${p.reason}${hint}`);
    }
    merged.push(p);
  }
  return new StaticCloudProfileSource(prepared, merged);
}
