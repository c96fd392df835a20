// The store behind leader election (src/scheduler/leader-election.ts): its interface, and the
// implementation on a coordination.k8s.io/v1 Lease.
import { KubeApiError, type KubeRestClient } from './rest-client.js';

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  /** Opaque version for optimistic concurrency (the Lease's resourceVersion). */
  version: string;
}

export interface LeaseStore {
  get(): Promise<StoredLease | null>;
  /** Create the lease; false if it already exists. */
  create(record: LeaseRecord): Promise<boolean>;
  /** Replace the lease if still at `version`; false on conflict. */
  update(record: LeaseRecord, version: string): Promise<boolean>;
}

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
