// The Shoot calls a maintenance run makes: GET, dry-run update, update, merge patch on /status.
import type { LastMaintenance, Shoot } from '../core/shoot.js';
import type { KubeRestClient } from './rest-client.js';

export const SHOOTS_PATH = '/apis/core.gardener.cloud/v1beta1/shoots';

export function shootPath(namespace: string, name: string): string {
  return `/apis/core.gardener.cloud/v1beta1/namespaces/${encodeURIComponent(namespace)}/shoots/${encodeURIComponent(name)}`;
}

export class ShootClient {
  constructor(private readonly client: KubeRestClient) {}

  get(namespace: string, name: string): Promise<Shoot> {
    return this.client.request<Shoot>({ method: 'GET', path: shootPath(namespace, name) });
  }

  /** PUT with the resourceVersion the shoot carries; a newer object on the server gives 409. */
  update(shoot: Shoot, options: { dryRun?: boolean } = {}): Promise<Shoot> {
    const { namespace = '', name = '' } = shoot.metadata;
    return this.client.request<Shoot>({
      method: 'PUT',
      path: shootPath(namespace, name),
      query: options.dryRun ? { dryRun: 'All' } : {},
      body: shoot,
    });
  }

  /** Merge patch of status.lastMaintenance on the status subresource. */
  patchLastMaintenance(namespace: string, name: string, lastMaintenance: LastMaintenance): Promise<Shoot> {
    // failureReason: null removes a stale reason from an earlier failed run.
    const patch = { status: { lastMaintenance: { failureReason: null, ...lastMaintenance } } };
    return this.client.request<Shoot>({
      method: 'PATCH',
      path: `${shootPath(namespace, name)}/status`,
      contentType: 'application/merge-patch+json',
      body: patch,
    });
  }

  /** Merge patch of metadata.annotations (null deletes a key) on the main resource. */
  patchAnnotations(namespace: string, name: string, annotations: Record<string, string | null>, resourceVersion?: string): Promise<Shoot> {
    return this.client.request<Shoot>({
      method: 'PATCH',
      path: shootPath(namespace, name),
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations, ...(resourceVersion ? { resourceVersion } : {}) } },
    });
  }
}
