// The leader-election LeaseStore backed by a coordination.k8s.io/v1 Lease.
import type { LeaseRecord, LeaseStore, StoredLease } from '../scheduler/leader-election.js';
import { KubeApiError, type KubeRestClient } from './rest-client.js';

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export class KubeLeaseStore implements LeaseStore {
  constructor(
    private readonly client: KubeRestClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private get collection(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases`;
  }

  private lease(record: LeaseRecord, resourceVersion?: string): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        acquireTime: record.acquireTime ?? null,
        renewTime: record.renewTime ?? null,
        leaseTransitions: record.leaseTransitions,
      },
    };
  }

  async get(): Promise<StoredLease | null> {
    try {
      const lease = await this.client.request<Lease>({ method: 'GET', path: `${this.collection}/${encodeURIComponent(this.name)}` });
      const spec = lease.spec ?? {};
      const record: LeaseRecord = {
        holderIdentity: spec.holderIdentity ?? '',
        leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
        leaseTransitions: spec.leaseTransitions ?? 0,
        ...(spec.acquireTime ? { acquireTime: spec.acquireTime } : {}),
        ...(spec.renewTime ? { renewTime: spec.renewTime } : {}),
      };
      return { record, version: lease.metadata.resourceVersion ?? '' };
    } catch (err) {
      if (err instanceof KubeApiError && err.isNotFound) return null;
      throw err;
    }
  }

  async create(record: LeaseRecord): Promise<boolean> {
    try {
      await this.client.request({ method: 'POST', path: this.collection, body: this.lease(record) });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 409) return false;
      throw err;
    }
  }

  async update(record: LeaseRecord, version: string): Promise<boolean> {
    try {
      await this.client.request({
        method: 'PUT',
        path: `${this.collection}/${encodeURIComponent(this.name)}`,
        body: this.lease(record, version),
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 409) return false;
      throw err;
    }
  }
}
