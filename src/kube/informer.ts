// List + watch one resource into a local cache and tell handlers about changes. A failed list
// or watch restarts with exponential back-off (capped); a 410 Gone re-lists. Re-lists replay
// the differences (adds, updates and deletes of objects that vanished while we were away).
import { abortableSleep } from '../abortable-sleep.js';
import { KubeApiError, type KubeRestClient, type WatchEvent } from './rest-client.js';

export interface KubeObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
}

export interface InformerHandlers<T> {
  onAdd?: (obj: T) => void;
  onUpdate?: (obj: T, old: T) => void;
  onDelete?: (obj: T) => void;
  /** After every (re-)list, once the cache holds the listed objects. */
  onSynced?: () => void;
  onError?: (err: unknown, retryInMs: number) => void;
}

export interface InformerOptions {
  /** Collection path, e.g. /apis/core.gardener.cloud/v1beta1/shoots */
  path: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

interface List<T> {
  metadata: { resourceVersion?: string };
  items: T[];
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private synced = false;

  constructor(
    private readonly client: KubeRestClient,
    private readonly options: InformerOptions,
    private readonly handlers: InformerHandlers<T>,
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const min = this.options.minBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 30_000;
    let backoff = min;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.relist();
        backoff = min;
        let last = resourceVersion;
        await this.client.watch<T>(
          this.options.path,
          { resourceVersion: last, allowWatchBookmarks: true, timeoutSeconds: 240 + Math.floor(Math.random() * 120) },
          (event) => {
            last = event.object.metadata.resourceVersion ?? last;
            this.apply(event);
          },
          signal,
        );
        resourceVersion = last;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof KubeApiError && err.isGone) {
          resourceVersion = undefined;
          continue;
        }
        resourceVersion = undefined;
        this.handlers.onError?.(err, backoff);
        await abortableSleep(backoff, signal);
        backoff = Math.min(max, backoff * 2);
      }
    }
  }

  private async relist(): Promise<string> {
    const list = await this.client.request<List<T>>({ method: 'GET', path: this.options.path });
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (old === undefined) this.handlers.onAdd?.(item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.handlers.onUpdate?.(item, old);
    }
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.handlers.onDelete?.(old);
      }
    }
    this.synced = true;
    this.handlers.onSynced?.();
    return list.metadata.resourceVersion ?? '';
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'BOOKMARK') return;
    const obj = event.object;
    const key = keyOf(obj);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.handlers.onDelete?.(obj);
    } else {
      this.cache.set(key, obj);
      if (old === undefined) this.handlers.onAdd?.(obj);
      else this.handlers.onUpdate?.(obj, old);
    }
  }
}
