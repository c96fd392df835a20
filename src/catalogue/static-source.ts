// A fixed set of prepared CloudProfiles (from --cloud-profile files); always synced.
import type { CloudProfileSource } from '../admission/handler-deps.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';

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
