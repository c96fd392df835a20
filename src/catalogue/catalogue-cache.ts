// Prepared CloudProfiles by name, each prepared once per resourceVersion: the same object seen
// again (a re-list, a resync, a second lookup) is a cache hit, a new resourceVersion prepares
// anew. Used by both cluster-backed catalogues: the webhook's CloudProfile informer source
// (src/kube/cloudprofile-informer.ts) and the scheduler (src/scheduler/scheduler.ts).
// NamespacedCloudProfiles have their own cache (./namespaced.ts).
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { prepareCloudProfile, type PreparedCloudProfile } from './prepare.js';

export interface CatalogueCacheHandlers {
  /** Called when a profile (at a resourceVersion not seen before) cannot be used. */
  onUnusable?: (name: string, reason: string) => void;
}

export class CatalogueCache {
  private readonly entries = new Map<string, { resourceVersion: string; prepared: PreparedCloudProfile }>();

  constructor(private readonly handlers: CatalogueCacheHandlers = {}) {}

  /**
   * The prepared profile for this object: the cached one when the object's resourceVersion is the
   * one prepared last time for its name (an object without one is always prepared afresh).
   */
  prepare(raw: unknown): PreparedCloudProfile {
    const metadata = (raw as { metadata?: { name?: unknown; resourceVersion?: unknown } } | null)?.metadata;
    const name = typeof metadata?.name === 'string' ? metadata.name : '';
    const resourceVersion = typeof metadata?.resourceVersion === 'string' ? metadata.resourceVersion : '';
    const cached = this.entries.get(name);
    if (cached && resourceVersion !== '' && cached.resourceVersion === resourceVersion) return cached.prepared;
    const prepared = prepareCloudProfile(raw);
    // An unusable profile replaces the old index: Shoots naming it are judged as if it were missing.
    if (name) this.entries.set(name, { resourceVersion, prepared });
    if (!prepared.ok) this.handlers.onUnusable?.(prepared.name, prepared.reason);
    return prepared;
  }

  /** The index of the profile last prepared under this name, if it was usable. */
  get(name: string): CatalogueIndex | undefined {
    const prepared = this.entries.get(name)?.prepared;
    return prepared?.ok ? prepared.index : undefined;
  }

  delete(name: string): void {
    this.entries.delete(name);
  }

  /** The names of the usable profiles. */
  names(): string[] {
    return [...this.entries].filter(([, e]) => e.prepared.ok).map(([name]) => name);
  }
}
