// The webhook's CloudProfiles from the cluster: the informer (./informer.ts) on
// core.gardener.cloud/v1beta1 cloudprofiles, each profile prepared by the catalogue when it
// arrives and again only when its resourceVersion changes (src/catalogue/catalogue-cache.ts).
// synced() turns true after the first successful list; until then /readyz answers 503. A
// profile that cannot be used is dropped and logged, so Shoots naming it are judged as if it were
// missing.
import type { CloudProfileSource } from '../admission/handler-deps.js';
import { CatalogueCache } from '../catalogue/catalogue-cache.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { Informer, type KubeObject } from './informer.js';
import type { KubeRestClient } from './rest-client.js';

export const CLOUDPROFILES_PATH = '/apis/core.gardener.cloud/v1beta1/cloudprofiles';

/** The logger calls this file makes (pino's signature). */
export interface InformerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export class CloudProfileInformerSource implements CloudProfileSource {
  private readonly cache: CatalogueCache;
  private readonly informer: Informer<KubeObject>;
  private listed = false;

  /** `client` is the caller's (with its request accounting, src/kube/request-accounting.ts); it closes it. */
  constructor(
    client: KubeRestClient,
    private readonly log: InformerLog,
  ) {
    this.cache = new CatalogueCache({
      onUnusable: (name, reason) => this.log.error({ cloudProfile: name, reason }, 'CloudProfile cannot be used'),
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

  /** Starts listing and watching; resolves once the first list has succeeded or failed. */
  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get(name: string): CatalogueIndex | undefined {
    return this.cache.get(name);
  }

  synced(): boolean {
    return this.listed;
  }
}
