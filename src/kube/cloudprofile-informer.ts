// A CloudProfileSource backed by an informer on core.gardener.cloud/v1beta1 cloudprofiles: each
// profile is indexed once per resourceVersion; the informer is restarted with exponential
// backoff after errors; synced() turns true after the first successful list.
import { CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { prepareCloudProfile, type CloudProfileSource } from '../webhook/cloudprofile-source.js';

export const CLOUDPROFILES_PATH = '/apis/core.gardener.cloud/v1beta1/cloudprofiles';

/** The logger calls this file makes (pino's signature). */
export interface InformerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

export class CloudProfileInformerSource implements CloudProfileSource {
  private readonly indexes = new Map<string, { resourceVersion: string; index: CatalogueIndex }>();
  private listed = false;
  private stopped = false;
  private backoffMs = MIN_BACKOFF_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly informer;

  constructor(kubeConfig: KubeConfig, private readonly log: InformerLog) {
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const result = (await api.listClusterCustomObject({
        group: 'core.gardener.cloud',
        version: 'v1beta1',
        plural: 'cloudprofiles',
      })) as KubernetesListObject<KubernetesObject>;
      // The informer adds the listed items right after this promise settles.
      setImmediate(() => {
        if (!this.listed) this.log.info({ count: result.items.length }, 'CloudProfiles synced');
        this.listed = true;
        this.backoffMs = MIN_BACKOFF_MS;
      });
      return result;
    };
    this.informer = makeInformer(kubeConfig, CLOUDPROFILES_PATH, list);
    this.informer.on('add', (obj) => this.upsert(obj));
    this.informer.on('update', (obj) => this.upsert(obj));
    this.informer.on('delete', (obj) => {
      if (obj.metadata?.name) this.indexes.delete(obj.metadata.name);
    });
    this.informer.on('error', (err: unknown) => this.scheduleRestart(err));
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.restartTimer !== undefined) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.log.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: delay }, 'CloudProfile informer failed; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.startInformer();
    }, delay);
    this.restartTimer.unref();
  }

  private upsert(obj: KubernetesObject): void {
    const name = obj.metadata?.name;
    if (!name) return;
    const resourceVersion = obj.metadata?.resourceVersion ?? '';
    if (resourceVersion !== '' && this.indexes.get(name)?.resourceVersion === resourceVersion) return;
    const prepared = prepareCloudProfile(obj);
    if (!prepared.ok) {
      // The old index (if any) is dropped: Shoots naming this profile are judged as if it were missing.
      this.indexes.delete(name);
      this.log.error({ cloudProfile: name, reason: prepared.reason }, 'CloudProfile cannot be used');
      return;
    }
    this.indexes.set(name, { resourceVersion, index: prepared.index });
  }

  private async startInformer(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.informer.start();
    } catch (err) {
      // start() reports list/watch failures through 'error'; anything thrown here is the same kind.
      this.scheduleRestart(err);
    }
  }

  /** Starts listing and watching; resolves once the first attempt has been made. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.startInformer();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  get(name: string): CatalogueIndex | undefined {
    return this.indexes.get(name)?.index;
  }

  synced(): boolean {
    return this.listed;
  }
}
