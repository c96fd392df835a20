// A fixed set of prepared profiles (from --cloud-profile files): CloudProfiles by name and the
// merged profiles of NamespacedCloudProfiles by `namespace/name`; always synced.
import type { CloudProfileSource } from '../admission/handler-deps.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import type { ProfileRef } from '../core/shoot.js';

export class StaticCloudProfileSource implements CloudProfileSource {
  private readonly byName = new Map<string, CatalogueIndex>();
  private readonly namespaced = new Map<string, CatalogueIndex>();

  /** `profiles`: prepared CloudProfiles; `namespacedProfiles`: merged NamespacedCloudProfiles keyed `namespace/name`. */
  constructor(
    profiles: readonly { name: string; index: CatalogueIndex }[] = [],
    namespacedProfiles: readonly { name: string; index: CatalogueIndex }[] = [],
  ) {
    for (const p of profiles) this.byName.set(p.name, p.index);
    for (const p of namespacedProfiles) this.namespaced.set(p.name, p.index);
  }

  get(ref: ProfileRef): CatalogueIndex | undefined {
    if (ref.kind === CLOUD_PROFILE_KIND) return this.byName.get(ref.name);
    if (ref.kind === NAMESPACED_CLOUD_PROFILE_KIND) return this.namespaced.get(`${ref.namespace ?? ''}/${ref.name}`);
    return undefined;
  }

  synced(): boolean {
    return true;
  }

  /** The CloudProfile names, then the NamespacedCloudProfiles as `namespace/name`. */
  names(): string[] {
    return [...this.byName.keys(), ...this.namespaced.keys()];
  }
}
