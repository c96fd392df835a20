// KubeLeaseStore against a fake API server holding one coordination.k8s.io/v1 Lease with
// optimistic concurrency: get (absent → null), create (exists → false), update (stale version →
// false), the Lease body it writes, and other errors passed on; then leader election on top.
import { afterEach, describe, expect, it } from 'vitest';
import { KubeLeaseStore, type LeaseRecord } from '../../../src/kube/lease-store.js';
import { KubeApiError, KubeRestClient } from '../../../src/kube/rest-client.js';
import { LeaderElector } from '../../../src/scheduler/leader-election.js';
import { startFakeApiServer, status, type FakeApiServer } from './fake-api-server.js';

const COLLECTION = '/apis/coordination.k8s.io/v1/namespaces/lease-ns/leases';
const LEASE = `${COLLECTION}/the-lease`;

interface StoredObject {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: Record<string, unknown>;
}

/** One Lease in memory, with resourceVersion checks as the API server does them. */
function leaseServer(fake: FakeApiServer, failWith?: () => ReturnType<typeof status> | undefined): { lease: StoredObject | undefined } {
  const state: { lease: StoredObject | undefined } = { lease: undefined };
  let version = 100;
  fake.handler = (req) => {
    const failure = failWith?.();
    if (failure) return failure;
    if (req.method === 'GET' && req.path === LEASE) return state.lease ? { status: 200, body: state.lease } : status(404, 'NotFound', 'leases "the-lease" not found');
    if (req.method === 'POST' && req.path === COLLECTION) {
      if (state.lease) return status(409, 'AlreadyExists', 'leases "the-lease" already exists');
      const body = JSON.parse(req.body) as StoredObject;
      state.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } };
      return { status: 201, body: state.lease };
    }
    if (req.method === 'PUT' && req.path === LEASE) {
      const body = JSON.parse(req.body) as StoredObject;
      if (!state.lease) return status(404, 'NotFound', 'not found');
      if (body.metadata.resourceVersion !== state.lease.metadata.resourceVersion) {
        return status(409, 'Conflict', 'Operation cannot be fulfilled on leases.coordination.k8s.io "the-lease": the object has been modified');
      }
      state.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } };
      return { status: 200, body: state.lease };
    }
    return { status: 404 };
  };
  return state;
}

let stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function setUp(failWith?: () => ReturnType<typeof status> | undefined) {
  const fake = await startFakeApiServer();
  const state = leaseServer(fake, failWith);
  const client = await KubeRestClient.fromKubeConfig(fake.kubeConfig());
  stops.push(() => fake.close(), () => client.close());
  return { fake, state, client, store: new KubeLeaseStore(client, 'lease-ns', 'the-lease') };
}

const record: LeaseRecord = {
  holderIdentity: 'replica-1',
  leaseDurationSeconds: 15,
  acquireTime: '2026-01-01T00:00:00.000000Z',
  renewTime: '2026-01-01T00:00:02.000000Z',
  leaseTransitions: 2,
};

describe('KubeLeaseStore', () => {
  it('gets null while there is no Lease; creates it once; a second create is false', async () => {
    const { store, state, fake } = await setUp();
    await expect(store.get()).resolves.toBeNull();
    await expect(store.create(record)).resolves.toBe(true);
    expect(JSON.parse(fake.requests[1]?.body ?? '')).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'the-lease', namespace: 'lease-ns' },
      spec: record,
    });
    await expect(store.create({ ...record, holderIdentity: 'replica-2' })).resolves.toBe(false);
    expect(state.lease?.spec.holderIdentity).toBe('replica-1');
    await expect(store.get()).resolves.toEqual({ record, version: '101' });
  });

  it('updates at the version it read; a stale version is false and changes nothing', async () => {
    const { store, state, fake } = await setUp();
    await store.create(record);
    const read = await store.get();
    const renewed = { ...record, renewTime: '2026-01-01T00:00:04.000000Z' };
    await expect(store.update(renewed, read?.version ?? '')).resolves.toBe(true);
    const put = fake.requests.find((r) => r.method === 'PUT');
    expect((JSON.parse(put?.body ?? '') as StoredObject).metadata).toEqual({ name: 'the-lease', namespace: 'lease-ns', resourceVersion: '101' });
    await expect(store.update({ ...record, holderIdentity: 'replica-2' }, read?.version ?? '')).resolves.toBe(false);
    expect(state.lease?.spec).toEqual(renewed);
  });

  it('reads a released or partial Lease with defaults: no holder, no times', async () => {
    const { store, state } = await setUp();
    state.lease = { metadata: { name: 'the-lease', namespace: 'lease-ns', resourceVersion: '7' }, spec: { holderIdentity: null, acquireTime: null } };
    await expect(store.get()).resolves.toEqual({ record: { holderIdentity: '', leaseDurationSeconds: 0, leaseTransitions: 0 }, version: '7' });
    // A released record clears the times with explicit nulls.
    await store.update({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3 }, '7');
    expect(state.lease?.spec).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: null, renewTime: null, leaseTransitions: 3 });
  });

  it('passes other errors on as KubeApiError', async () => {
    let failing = true;
    const { store } = await setUp(() => (failing ? status(403, 'Forbidden', 'leases is forbidden') : undefined));
    await expect(store.get()).rejects.toBeInstanceOf(KubeApiError);
    await expect(store.create(record)).rejects.toThrow('leases is forbidden');
    await expect(store.update(record, '1')).rejects.toThrow('leases is forbidden');
    failing = false;
    await expect(store.get()).resolves.toBeNull();
  });

  it('carries leader election: one of two candidates leads, the other takes over after the release', async () => {
    const { client, state } = await setUp();
    const elector = (identity: string) =>
      new LeaderElector({ store: new KubeLeaseStore(client, 'lease-ns', 'the-lease'), identity, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    const one = elector('replica-1');
    const two = elector('replica-2');
    await expect(one.tryAcquireOrRenew()).resolves.toBe(true);
    await expect(two.tryAcquireOrRenew()).resolves.toBe(false);
    expect(two.observedHolder).toBe('replica-1');
    await expect(one.tryAcquireOrRenew()).resolves.toBe(true); // renew
    expect(state.lease?.spec.leaseTransitions).toBe(0);
    await expect(one.release()).resolves.toBe(true);
    expect(state.lease?.spec.holderIdentity).toBe('');
    await expect(two.tryAcquireOrRenew()).resolves.toBe(true);
    expect(state.lease?.spec.holderIdentity).toBe('replica-2');
    expect(state.lease?.spec.leaseTransitions).toBe(1);
  });
});
