// Smoke test of the e2e cluster itself: the control plane global-setup started, its CRDs, its
// identities, and the safety rule that it only ever dials 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyYaml, ctx, getJson, kubeconfigFor, kubectl, uniqueName } from './harness.js';

let namespace: string;

beforeAll(async () => {
  namespace = uniqueName('cluster');
  expect((await kubectl(['create', 'namespace', namespace])).code).toBe(0);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  await kubectl(['delete', 'clusterrole', 'e2e-shoot-viewer', '--ignore-not-found']);
});

describe('the test cluster', () => {
  it('serves on 127.0.0.1 and is talked to by a kubectl of the same minor version', async () => {
    expect(ctx().server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await kubectl(['version', '-o', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const version = JSON.parse(res.stdout) as { clientVersion: { minor: string }; serverVersion: { minor: string; gitVersion: string } };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(version.clientVersion.minor).toBe(version.serverVersion.minor);
  });

  it('serves Shoots (namespaced, status subresource) and CloudProfiles (cluster-scoped)', async () => {
    const res = await kubectl(['api-resources', '--api-group=core.gardener.cloud', '-o', 'wide', '--no-headers']);
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));
    const shoots = rows.find((r) => r[0] === 'shoots');
    const profiles = rows.find((r) => r[0] === 'cloudprofiles');
    expect(shoots).toContain('true'); // namespaced
    expect(shoots).toContain('Shoot');
    expect(profiles).toContain('false');
    expect(profiles).toContain('cprofile,cpfl');
    const crd = await getJson<{ spec: { versions: { name: string; subresources?: { status?: object } }[] } }>(
      'crd',
      'shoots.core.gardener.cloud',
    );
    expect(crd.spec.versions.map((v) => [v.name, v.subresources?.status !== undefined])).toEqual([['v1beta1', true]]);
  });

  it('holds the example CloudProfile', async () => {
    const profile = await getJson<{ metadata: { name: string } }>('cloudprofile', ctx().cloudProfileName);
    expect(profile.metadata.name).toBe(ctx().cloudProfileName);
  });

  it('runs the webhook and the scheduler as their ServiceAccounts, with exactly the RBAC of manifests/', async () => {
    const can = async (kubeconfig: string, ...args: string[]) => (await kubectl(['auth', 'can-i', ...args], { kubeconfig })).stdout.trim();
    for (const { kubeconfigPath, username } of [ctx().scheduler, ctx().webhook]) {
      const whoami = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { kubeconfig: kubeconfigPath });
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(whoami.stdout.trim()).toBe(username);
    }
    expect(ctx().webhook.schedulerUser).toBe(ctx().scheduler.username);
    const { kubeconfigPath: scheduler, leaseNamespace, leaseName } = ctx().scheduler;
    expect(await can(scheduler, 'update', 'shoots.core.gardener.cloud', '-n', namespace)).toBe('yes');
    expect(await can(scheduler, 'patch', 'shoots.core.gardener.cloud/status', '-n', namespace)).toBe('yes');
    expect(await can(scheduler, 'create', 'shoots.core.gardener.cloud', '-n', namespace)).toBe('no');
    expect(await can(scheduler, 'update', `leases.coordination.k8s.io/${leaseName}`, '-n', leaseNamespace)).toBe('yes');
    expect(await can(scheduler, 'update', 'leases.coordination.k8s.io/another', '-n', leaseNamespace)).toBe('no');
    const webhook = ctx().webhook.kubeconfigPath;
    expect(await can(webhook, 'watch', 'cloudprofiles.core.gardener.cloud')).toBe('yes');
    expect(await can(webhook, 'get', 'shoots.core.gardener.cloud', '-n', namespace)).toBe('no');
  });

  it('authenticates users by client certificate and authorizes them by RBAC', async () => {
    const alice = kubeconfigFor('alice', ['e2e-developers']);
    const whoami = await kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: alice });
    expect(whoami.code, whoami.stderr).toBe(0);
    const user = (JSON.parse(whoami.stdout) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
    expect(user.username).toBe('alice');
    expect(user.groups).toContain('e2e-developers');

    // kube-apiserver's RBAC denial as kubectl prints it (no name: a list).
    const forbidden = (ns: string) =>
      `Error from server (Forbidden): shoots.core.gardener.cloud is forbidden: User "alice" cannot list resource "shoots" in API group "core.gardener.cloud" in the namespace "${ns}"\n`;
    const denied = await kubectl(['get', 'shoots', '-n', namespace], { kubeconfig: alice });
    expect(denied.stderr).toBe(forbidden(namespace));
    expect(denied.code).toBe(1);

    const rbac = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'e2e-shoot-viewer' },
        rules: [{ apiGroups: ['core.gardener.cloud'], resources: ['shoots'], verbs: ['get', 'list', 'watch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'developers-view-shoots', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'e2e-shoot-viewer' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'e2e-developers' }],
      },
    ];
    const applied = await applyYaml(rbac.map((o) => stringify(o)).join('---\n'));
    expect(applied.code, applied.stderr).toBe(0);
    const allowed = await kubectl(['get', 'shoots', '-n', namespace], { kubeconfig: alice });
    expect(allowed.code, allowed.stderr).toBe(0);
    // The RoleBinding grants one namespace only.
    const elsewhere = await kubectl(['get', 'shoots', '-n', 'default'], { kubeconfig: alice });
    expect(elsewhere.stderr).toBe(forbidden('default'));
    expect(elsewhere.code).toBe(1);
  });

  it('registers webhooks only by URL on 127.0.0.1 and no APIService backed by a Service', async () => {
    for (const kind of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']) {
      const list = await getJson<{ items: { webhooks?: { clientConfig: { url?: string; service?: object } }[] }[] }>(kind, '');
      const configs = list.items.flatMap((item) => item.webhooks ?? []).map((w) => w.clientConfig);
      expect(configs.length).toBeGreaterThan(0);
      for (const clientConfig of configs) {
        expect(clientConfig.service).toBeUndefined();
        expect(clientConfig.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
      }
    }
    const apiServices = await getJson<{ items: { spec: { service?: object | null } }[] }>('apiservices', '');
    expect(apiServices.items.length).toBeGreaterThan(0);
    expect(apiServices.items.filter((s) => s.spec.service)).toEqual([]);
  });

  it('registers our webhooks with the contract’s names, routes and settings', async () => {
    const port = ctx().webhook.port;
    const mutating = await getJson<{ webhooks: Record<string, unknown>[] }>('mutatingwebhookconfiguration', 'shoot-maintenance-mutate');
    const validating = await getJson<{ webhooks: Record<string, unknown>[] }>('validatingwebhookconfiguration', 'shoot-maintenance-validate');
    const summary = [...mutating.webhooks, ...validating.webhooks].map((w) => ({
      name: w.name,
      url: (w.clientConfig as { url: string }).url,
      failurePolicy: w.failurePolicy,
      sideEffects: w.sideEffects,
      timeoutSeconds: w.timeoutSeconds,
      admissionReviewVersions: w.admissionReviewVersions,
    }));
    const common = { failurePolicy: 'Fail', sideEffects: 'None', timeoutSeconds: 5, admissionReviewVersions: ['v1'] };
    expect(summary).toEqual([
      { name: 'mutate.shoots.maintenance.gardener.cloud', url: `https://127.0.0.1:${port}/mutate/shoots`, ...common },
      { name: 'validate.shoots.maintenance.gardener.cloud', url: `https://127.0.0.1:${port}/validate/shoots`, ...common },
      { name: 'validate.cloudprofiles.maintenance.gardener.cloud', url: `https://127.0.0.1:${port}/validate/cloudprofiles`, ...common },
      { name: 'validate.namespacedcloudprofiles.maintenance.gardener.cloud', url: `https://127.0.0.1:${port}/validate/namespacedcloudprofiles`, ...common },
      { name: 'validate.maintenanceexclusions.maintenance.gardener.cloud', url: `https://127.0.0.1:${port}/validate/maintenanceexclusions`, ...common },
      { name: 'validate.clustermaintenanceexclusions.maintenance.gardener.cloud', url: `https://127.0.0.1:${port}/validate/clustermaintenanceexclusions`, ...common },
    ]);
  });
});
