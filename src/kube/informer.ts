// The one informer of both processes (the webhook's CloudProfiles, the scheduler's Shoots and
// CloudProfiles): list + watch one resource over KubeRestClient into a local cache and tell
// handlers about changes. The watch resumes from the last resourceVersion it saw (events and
// bookmarks); a 410 Gone re-lists at once; any other failed list or watch re-lists after an
// exponential back-off (0.5 s doubling to 30 s, reset by a successful list) — the only back-off
// of the client stack. A re-list replays the differences: adds, updates, and deletes of objects
// that vanished while we were away.
// Hand-written rather than client-node's ListWatch (cache.js, 2.0.1) because that one stops for
// good after a failed list or a watch error other than 410 (restart and back-off are left to the
// caller), has no notification that a list is complete (needed for "synced"), watches without
// bookmarks, and goes through client-node's Watch (see src/kube/rest-client.ts).
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

export interface InformerOptions<T = unknown> {
  /** Collection path, e.g. /apis/core.gardener.cloud/v1beta1/shoots */
  path: string;
  /** Back-off after a failure: from min (500 ms) doubling to max (30 s); tests shorten it. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** What the cache keeps of each listed or watched object (default: all of it). Handlers and
   *  get/list see only what it returns; it must keep metadata.name, namespace and resourceVersion. */
  transform?: (obj: T) => T;
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
  private firstAttempt: Promise<void> = Promise.resolve();
  private firstAttemptDone: () => void = () => undefined;

  constructor(
    private readonly client: KubeRestClient,
    private readonly options: InformerOptions<T>,
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

  /** Starts listing and watching; resolves once the first list has succeeded or failed. */
  start(): Promise<void> {
    if (this.loop) return this.firstAttempt;
    this.abort = new AbortController();
    this.firstAttempt = new Promise((resolve) => (this.firstAttemptDone = resolve));
    this.loop = this.run(this.abort.signal).finally(() => this.firstAttemptDone());
    return this.firstAttempt;
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
        if (resourceVersion === undefined) {
          try {
            resourceVersion = await this.relist();
          } finally {
            this.firstAttemptDone();
          }
        }
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
    const transform = this.options.transform;
    for (const listed of list.items) {
      const item = transform ? transform(listed) : listed;
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
    const obj = this.options.transform ? this.options.transform(event.object) : event.object;
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
