// The production manifests against a real kube-apiserver:
//   - `kubectl apply --dry-run=server -k manifests/` is accepted as a whole (cert-manager's CRDs
//     installed so Issuers and Certificates are known) and draws no Pod Security warning;
//   - the RBAC, applied for real, gives each ServiceAccount what it needs and nothing more
//     (`kubectl auth can-i --as=system:serviceaccount:...`).
//
// What is written for real: cert-manager's CRDs, the Namespace, ServiceAccounts and RBAC. The
// webhook configurations refer to a Service, which this API server must never dial, so they are
// only ever sent with --dry-run=server; applyForReal() refuses them (and APIServices) outright.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { resolveCertManagerCrds } from '../../tools/test-cluster/binaries.js';
import { applyYaml, kubectl, uniqueName, type KubectlResult } from './harness.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const MANIFESTS = join(repoRoot, 'manifests');
const NAMESPACE = 'shoot-maintenance';
const WEBHOOK_SA = `system:serviceaccount:${NAMESPACE}:shoot-maintenance-webhook`;
const SCHEDULER_SA = `system:serviceaccount:${NAMESPACE}:shoot-maintenance-scheduler`;

/** Kinds that make kube-apiserver call out to a Service: dry-run only, always. */
const NEVER_APPLIED_FOR_REAL = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService']);
/** Kinds this test applies for real: inert objects that start nothing and dial nothing. */
const APPLIED_FOR_REAL = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

function parseObjects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function toYaml(objects: K8sObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

function describeResult(r: KubectlResult): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** The only way this file writes objects for real: from stdin, never a webhook registration. */
async function applyForReal(objects: K8sObject[]): Promise<KubectlResult> {
  const refused = objects.filter((o) => NEVER_APPLIED_FOR_REAL.has(o.kind) || !APPLIED_FOR_REAL.has(o.kind));
  if (refused.length > 0) {
    throw new Error(`refusing to apply for real: ${refused.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return applyYaml(toYaml(objects));
}

function dryRun(args: string[], input?: string): Promise<KubectlResult> {
  return kubectl(['apply', '--dry-run=server', ...args], { input });
}

/** `kubectl auth can-i` as `user`; yes → true. Exit 1 with "no" is a clean answer, anything else an error. */
async function canI(user: string, verb: string, resource: string, namespace?: string, subresource?: string): Promise<boolean> {
  const args = ['auth', 'can-i', verb, resource, `--as=${user}`];
  if (namespace) args.push('-n', namespace);
  if (subresource) args.push(`--subresource=${subresource}`);
  const r = await kubectl(args);
  const answer = r.stdout.trim();
  if (r.code === 0 && answer === 'yes') return true;
  if (r.code === 1 && answer.startsWith('no')) return false;
  throw new Error(`kubectl ${args.join(' ')}: ${describeResult(r)}`);
}

let rendered: K8sObject[] = [];
let appliedForReal: K8sObject[] = [];

beforeAll(async () => {
  const r = await kubectl(['kustomize', MANIFESTS]);
  if (r.code !== 0) throw new Error(`kubectl kustomize manifests/: ${describeResult(r)}`);
  rendered = parseObjects(r.stdout);

  // cert-manager's CRDs, so that Issuers and Certificates can be dry-run. No cert-manager
  // controller runs; the CRDs only teach the API server the kinds. Server-side apply: the
  // CRDs are too large for client-side apply's last-applied annotation.
  // cert-manager's own CRD files, from its Go module (scripts/test-cluster/build.sh).
  const crds = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', resolveCertManagerCrds()]);
  if (crds.code !== 0) throw new Error(`installing cert-manager CRDs: ${describeResult(crds)}`);
  const established = await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/certificates.cert-manager.io',
    'crd/issuers.cert-manager.io',
  ]);
  if (established.code !== 0) throw new Error(`cert-manager CRDs not established: ${describeResult(established)}`);

  // A server dry-run of namespaced objects needs their namespace to exist. The Namespace is
  // created for real from the rendered output itself, so it carries the same
  // pod-security labels that the dry-run of the Deployments is then checked against.
  const namespace = rendered.filter((o) => o.kind === 'Namespace');
  const ns = await applyForReal(namespace);
  if (ns.code !== 0) throw new Error(`creating the namespace: ${describeResult(ns)}`);
  appliedForReal.push(...namespace);
});

afterAll(async () => {
  // The RBAC objects go again; the Namespace stays (without a namespace controller it would sit
  // in Terminating forever, and it holds nothing).
  const removable = appliedForReal.filter((o) => o.kind !== 'Namespace');
  if (removable.length > 0) {
    await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], { input: toYaml(removable) });
  }
  appliedForReal = [];
});

describe('the whole kustomization, server dry-run', () => {
  it('is accepted by the API server, object by object, with no Pod Security warning', async () => {
    const r = await dryRun(['-k', MANIFESTS]);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stderr).not.toMatch(/PodSecurity|would violate/i);
    // One "(server dry run)" line per rendered object: nothing was skipped.
    const lines = r.stdout.split('\n').filter((l) => l.includes('(server dry run)'));
    expect(lines).toHaveLength(rendered.length);
    for (const kind of ['deployment.apps', 'certificate.cert-manager.io', 'issuer.cert-manager.io']) {
      expect(r.stdout).toContain(kind);
    }
    expect(r.stdout).toMatch(/mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/shoot-maintenance .*\(server dry run\)/);
    expect(r.stdout).toMatch(/validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/shoot-maintenance .*\(server dry run\)/);
  });

  it('the same check does warn for a Deployment without the hardening (it can fail)', async () => {
    const webhook = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shoot-maintenance-webhook');
    expect(webhook).toBeDefined();
    const weakened = structuredClone(webhook!);
    weakened.metadata.name = uniqueName('unhardened');
    const pod = (weakened.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    delete pod.securityContext;
    for (const c of pod.containers as Record<string, unknown>[]) delete c.securityContext;
    const r = await dryRun(['-f', '-'], toYaml([weakened]));
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stderr).toMatch(/would violate PodSecurity "restricted:latest"/);
    expect(r.stderr).toMatch(/allowPrivilegeEscalation != false/);
  });

  // No controller-manager runs here, so the Deployments never make Pods; the Pods their templates
  // would make are sent directly, where `enforce: restricted` rejects rather than warns.
  function podFrom(deployment: K8sObject, name: string): K8sObject {
    const template = (deployment.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: unknown } })
      .template;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NAMESPACE, labels: template.metadata?.labels ?? {} },
      spec: structuredClone(template.spec),
    };
  }

  it.each(['shoot-maintenance-webhook', 'shoot-maintenance-scheduler'])(
    'a Pod from the %s template is admitted under enforce: restricted',
    async (name) => {
      const deployment = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
      expect(deployment).toBeDefined();
      const r = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: toYaml([podFrom(deployment!, uniqueName(name))]) });
      expect(r.code, describeResult(r)).toBe(0);
      expect(r.stderr).not.toMatch(/PodSecurity/);
    },
  );

  it('a Pod without the hardening is rejected there (the check can fail)', async () => {
    const deployment = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shoot-maintenance-webhook');
    const pod = podFrom(deployment!, uniqueName('unhardened'));
    const spec = pod.spec as { securityContext?: unknown; containers: Record<string, unknown>[] };
    delete spec.securityContext;
    for (const c of spec.containers) delete c.securityContext;
    const r = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: toYaml([pod]) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
  });

  it('a server dry-run stores nothing: the webhook configurations are not registered', async () => {
    for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
      const r = await kubectl(['get', kind, 'shoot-maintenance', '--ignore-not-found', '-o', 'name']);
      expect(r.code, describeResult(r)).toBe(0);
      expect(r.stdout.trim()).toBe('');
    }
  });
});

describe('RBAC, applied for real', () => {
  beforeAll(async () => {
    const inert = rendered.filter((o) => APPLIED_FOR_REAL.has(o.kind));
    // The suite's global setup already runs the webhook and the scheduler under these very
    // ServiceAccounts and RBAC (applied from manifests/): only what this file creates goes again.
    const existing = new Set<K8sObject>();
    for (const o of inert) {
      const get = await kubectl(['get', o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '--ignore-not-found', '-o', 'name']);
      if (get.code !== 0) throw new Error(`kubectl get ${o.kind}/${o.metadata.name}: ${describeResult(get)}`);
      if (get.stdout.trim() !== '') existing.add(o);
    }
    const r = await applyForReal(inert);
    if (r.code !== 0) throw new Error(`applying ServiceAccounts and RBAC: ${describeResult(r)}`);
    appliedForReal.push(...inert.filter((o) => o.kind !== 'Namespace' && !existing.has(o)));
  });

  it('only inert kinds are applied for real, never a webhook configuration or APIService', async () => {
    const inert = rendered.filter((o) => APPLIED_FOR_REAL.has(o.kind));
    expect(inert.filter((o) => NEVER_APPLIED_FOR_REAL.has(o.kind))).toEqual([]);
    // The filter matters: the rendered output does hold webhook configurations ...
    expect(rendered.filter((o) => NEVER_APPLIED_FOR_REAL.has(o.kind)).map((o) => o.kind).sort()).toEqual([
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]);
    // ... and the guard refuses them.
    await expect(applyForReal(rendered)).rejects.toThrow(/refusing to apply for real: .*MutatingWebhookConfiguration/);
    // No webhook configuration in the cluster refers to a Service (the test API server's own
    // registrations use 127.0.0.1 URLs).
    for (const kind of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']) {
      const r = await kubectl(['get', kind, '-o', 'json']);
      expect(r.code, describeResult(r)).toBe(0);
      const list = JSON.parse(r.stdout) as { items: { webhooks?: { clientConfig?: { service?: unknown } }[] }[] };
      const withService = list.items.flatMap((i) => i.webhooks ?? []).filter((w) => w.clientConfig?.service);
      expect(withService).toEqual([]);
    }
  });

  const someProject = 'garden-dev';

  it.each([
    // [verb, resource, namespace, subresource, allowed]
    ['get', 'cloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['list', 'cloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['watch', 'cloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['create', 'cloudprofiles.core.gardener.cloud', undefined, undefined, false],
    ['update', 'cloudprofiles.core.gardener.cloud', undefined, undefined, false],
    ['list', 'namespacedcloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['watch', 'namespacedcloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['get', 'namespacedcloudprofiles.core.gardener.cloud', someProject, undefined, false],
    ['update', 'namespacedcloudprofiles.core.gardener.cloud', someProject, undefined, false],
    ['get', 'shoots.core.gardener.cloud', someProject, undefined, false],
    ['list', 'shoots.core.gardener.cloud', someProject, undefined, false],
    ['get', 'secrets', NAMESPACE, undefined, false],
    ['list', 'secrets', undefined, undefined, false],
    ['create', 'events', someProject, undefined, false],
    ['get', 'leases.coordination.k8s.io', NAMESPACE, undefined, false],
  ] as const)('webhook: %s %s (ns %s, subresource %s) → %s', async (verb, resource, namespace, subresource, allowed) => {
    expect(await canI(WEBHOOK_SA, verb, resource, namespace, subresource)).toBe(allowed);
  });

  it.each([
    ['get', 'shoots.core.gardener.cloud', someProject, undefined, true],
    ['list', 'shoots.core.gardener.cloud', undefined, undefined, true],
    ['watch', 'shoots.core.gardener.cloud', undefined, undefined, true],
    ['update', 'shoots.core.gardener.cloud', someProject, undefined, true],
    ['patch', 'shoots.core.gardener.cloud', someProject, undefined, true],
    ['patch', 'shoots.core.gardener.cloud', someProject, 'status', true],
    ['update', 'shoots.core.gardener.cloud', someProject, 'status', false],
    ['create', 'shoots.core.gardener.cloud', someProject, undefined, false],
    ['delete', 'shoots.core.gardener.cloud', someProject, undefined, false],
    ['deletecollection', 'shoots.core.gardener.cloud', someProject, undefined, false],
    ['get', 'cloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['list', 'cloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['watch', 'cloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['update', 'cloudprofiles.core.gardener.cloud', undefined, undefined, false],
    ['list', 'namespacedcloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['watch', 'namespacedcloudprofiles.core.gardener.cloud', undefined, undefined, true],
    ['get', 'namespacedcloudprofiles.core.gardener.cloud', someProject, undefined, false],
    ['patch', 'namespacedcloudprofiles.core.gardener.cloud', someProject, 'status', false],
    // The freezes and the namespaces' labels (informers): list and watch only.
    ['list', 'maintenanceexclusions.maintenance.shoot-maintenance.io', undefined, undefined, true],
    ['watch', 'maintenanceexclusions.maintenance.shoot-maintenance.io', undefined, undefined, true],
    ['update', 'maintenanceexclusions.maintenance.shoot-maintenance.io', someProject, undefined, false],
    ['list', 'clustermaintenanceexclusions.maintenance.shoot-maintenance.io', undefined, undefined, true],
    ['watch', 'clustermaintenanceexclusions.maintenance.shoot-maintenance.io', undefined, undefined, true],
    ['create', 'clustermaintenanceexclusions.maintenance.shoot-maintenance.io', undefined, undefined, false],
    ['list', 'namespaces', undefined, undefined, true],
    ['watch', 'namespaces', undefined, undefined, true],
    ['update', 'namespaces', undefined, undefined, false],
    ['create', 'events', someProject, undefined, true],
    ['patch', 'events', someProject, undefined, true],
    ['delete', 'events', someProject, undefined, false],
    ['get', 'secrets', NAMESPACE, undefined, false],
    ['get', 'secrets', someProject, undefined, false],
    ['list', 'secrets', undefined, undefined, false],
    // Its own Lease, by name, in its own namespace.
    ['get', 'leases.coordination.k8s.io/shoot-maintenance-scheduler', NAMESPACE, undefined, true],
    ['update', 'leases.coordination.k8s.io/shoot-maintenance-scheduler', NAMESPACE, undefined, true],
    ['create', 'leases.coordination.k8s.io', NAMESPACE, undefined, true],
    ['delete', 'leases.coordination.k8s.io/shoot-maintenance-scheduler', NAMESPACE, undefined, false],
    ['list', 'leases.coordination.k8s.io', NAMESPACE, undefined, false],
    // No other Lease: not another name here, nothing in another namespace.
    ['get', 'leases.coordination.k8s.io/kube-controller-manager', NAMESPACE, undefined, false],
    ['update', 'leases.coordination.k8s.io/kube-controller-manager', NAMESPACE, undefined, false],
    ['get', 'leases.coordination.k8s.io/shoot-maintenance-scheduler', 'kube-system', undefined, false],
    ['update', 'leases.coordination.k8s.io/shoot-maintenance-scheduler', 'kube-system', undefined, false],
    ['create', 'leases.coordination.k8s.io', 'kube-system', undefined, false],
    ['update', 'leases.coordination.k8s.io/kube-scheduler', 'kube-system', undefined, false],
  ] as const)('scheduler: %s %s (ns %s, subresource %s) → %s', async (verb, resource, namespace, subresource, allowed) => {
    expect(await canI(SCHEDULER_SA, verb, resource, namespace, subresource)).toBe(allowed);
  });
});
