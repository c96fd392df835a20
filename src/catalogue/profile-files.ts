// CloudProfiles from files (the webhook's and review's --cloud-profile): YAML with several
// documents or `List`s, or JSON; each profile prepared as the cluster's are (./prepare.ts).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { CatalogueIndex } from '../core/cloudprofile.js';
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
