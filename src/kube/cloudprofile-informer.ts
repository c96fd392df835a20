// The webhook's CloudProfiles from the cluster: informers (./informer.ts) on
// core.gardener.cloud/v1beta1 cloudprofiles and namespacedcloudprofiles. Each CloudProfile is
// prepared by the catalogue when it arrives and again only when its resourceVersion changes
// (src/catalogue/catalogue-cache.ts); a NamespacedCloudProfile is merged into its parent when a
// Shoot first needs it and again when either object changes (src/catalogue/namespaced.ts).
// synced() turns true after the first successful list of both; until then /readyz answers 503. A
// profile that cannot be used is dropped and logged, so Shoots naming it are judged as if it were
// missing.
import type { CloudProfileSource } from '../admission/handler-deps.js';
import { CatalogueCache } from '../catalogue/catalogue-cache.js';
import { NamespacedCatalogueCache } from '../catalogue/namespaced.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import type { ProfileRef } from '../core/shoot.js';
import { Informer, keyOf, type KubeObject } from './informer.js';
import type { KubeRestClient } from './rest-client.js';

export const CLOUDPROFILES_PATH = '/apis/core.gardener.cloud/v1beta1/cloudprofiles';
export const NAMESPACEDCLOUDPROFILES_PATH = '/apis/core.gardener.cloud/v1beta1/namespacedcloudprofiles';

/** The logger calls this file makes (pino's signature). */
export interface InformerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export class CloudProfileInformerSource implements CloudProfileSource {
  private readonly cache: CatalogueCache;
  private readonly informer: Informer<KubeObject>;
  private readonly namespacedCache: NamespacedCatalogueCache;
  private readonly namespacedInformer: Informer<KubeObject>;
  private listed = false;
  private namespacedListed = false;

  /** `client` is the caller's (with its request accounting, src/kube/request-accounting.ts); it closes it. */
  constructor(
    client: KubeRestClient,
    private readonly log: InformerLog,
  ) {
    this.cache = new CatalogueCache({
      onUnusable: (name, reason) => this.log.error({ cloudProfile: name, reason }, 'CloudProfile cannot be used'),
    });
    this.namespacedCache = new NamespacedCatalogueCache({
      onUnusable: (name, reason) => this.log.error({ namespacedCloudProfile: name, reason }, 'NamespacedCloudProfile cannot be used'),
    });
    this.namespacedInformer = new Informer<KubeObject>(client, { path: NAMESPACEDCLOUDPROFILES_PATH }, {
      onDelete: (obj) => this.namespacedCache.delete(keyOf(obj)),
      onSynced: () => {
        if (!this.namespacedListed) this.log.info({ count: this.namespacedInformer.list().length }, 'NamespacedCloudProfiles synced');
        this.namespacedListed = true;
      },
      onError: (err, retryInMs) =>
        this.log.warn(
          { err: err instanceof Error ? err.message : String(err), retryInMs },
          'NamespacedCloudProfile informer failed; restarting',
        ),
    });
    this.informer = new Informer<KubeObject>(client, { path: CLOUDPROFILES_PATH }, {
      onAdd: (obj) => this.cache.prepare(obj),
      onUpdate: (obj) => this.cache.prepare(obj),
      onDelete: (obj) => this.cache.delete(obj.metadata.name ?? ''),
      onSynced: () => {
        if (!this.listed) this.log.info({ count: this.informer.list().length }, 'CloudProfiles synced');
        this.listed = true;
      },
      onError: (err, retryInMs) =>
        this.log.warn({ err: err instanceof Error ? err.message : String(err), retryInMs }, 'CloudProfile informer failed; restarting'),
    });
  }

  /** Starts listing and watching; resolves once the first lists have succeeded or failed. */
  async start(): Promise<void> {
    await Promise.all([this.informer.start(), this.namespacedInformer.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.informer.stop(), this.namespacedInformer.stop()]);
  }

  get(ref: ProfileRef): CatalogueIndex | undefined {
    if (ref.kind === CLOUD_PROFILE_KIND) return this.cache.get(ref.name);
    if (ref.kind !== NAMESPACED_CLOUD_PROFILE_KIND) return undefined;
    const raw = this.namespacedInformer.get(`${ref.namespace ?? ''}/${ref.name}`);
    return raw ? this.namespacedCache.get(raw, (name) => this.cache.get(name)) : undefined;
  }

  synced(): boolean {
    return this.listed && this.namespacedListed;
  }
}
