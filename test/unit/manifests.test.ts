// The production manifests, as `kubectl kustomize manifests/` renders them (the machine's kubectl,
// offline): Pods that pass the `restricted` Pod Security Standard, webhook registrations with the
// fields kube-apiserver needs, cert-manager objects that chain up, and RBAC with exactly the
// verbs each component uses.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { registerSchedulerCommand } from '../../src/commands/scheduler.js';
import { registerWebhookCommand } from '../../src/commands/webhook.js';
import { matchConditionsFor } from '../../src/admission/match-conditions.js';
import type { AdmittedResource } from '../../src/admission/review.js';
import { webhookConfigurations } from '../../tools/test-cluster/webhook-registration.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const NAMESPACE = 'shoot-maintenance';
const IMAGE = 'ghcr.io/shoot-maintenance/shoot-maintenance:0.1.0';

type Obj = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function render(): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', 'manifests/'], { cwd: repoRoot, encoding: 'utf8' });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const objects = render();

function all(kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}
function one(kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}
function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[key];
  }
  return cur;
}
function arr(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

// Go durations as cert-manager writes them (only h/m/s are used for certificates).
function hours(duration: unknown): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(duration));
  if (!m || String(duration) === '') throw new Error(`not a duration: ${String(duration)}`);
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);

describe('kustomize output', () => {
  it('holds every kind the deployment needs', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'Issuer',
      'Certificate',
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    expect(all('CustomResourceDefinition').map((c) => c.metadata.name).sort()).toEqual([
      'cloudprofiles.core.gardener.cloud',
      'clustermaintenanceexclusions.maintenance.shoot-maintenance.io',
      'maintenanceexclusions.maintenance.shoot-maintenance.io',
      'namespacedcloudprofiles.core.gardener.cloud',
      'shoots.core.gardener.cloud',
    ]);
  });

  it('puts the namespace under the restricted Pod Security Standard', () => {
    const ns = one('Namespace', NAMESPACE);
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('places every namespaced object in the shoot-maintenance namespace', () => {
    const namespaced = objects.filter((o) => !CLUSTER_SCOPED.has(o.kind));
    expect(namespaced.length).toBeGreaterThan(0);
    for (const o of namespaced) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(NAMESPACE);
    for (const o of objects.filter((x) => CLUSTER_SCOPED.has(x.kind))) {
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBeUndefined();
    }
  });
});

describe('Pod templates pass the restricted Pod Security Standard', () => {
  const deployments = all('Deployment');
  const templates = deployments.map((d) => [d.metadata.name, get(d, 'spec.template.spec') as Obj] as const);

  it('there are the two Deployments', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['shoot-maintenance-scheduler', 'shoot-maintenance-webhook']);
  });

  it.each(templates)('%s: no host namespaces, host paths, host ports or privileged containers', (_name, pod) => {
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostIPC ?? false).toBe(false);
    for (const v of arr(pod.volumes)) expect(v.hostPath, String(v.name)).toBeUndefined();
    for (const c of [...arr(pod.initContainers), ...arr(pod.containers)]) {
      expect(get(c, 'securityContext.privileged') ?? false).toBe(false);
      for (const p of arr(c.ports)) expect(p.hostPort, `${String(c.name)} port`).toBeUndefined();
    }
  });

  it.each(templates)('%s: runs as a numeric non-root user with RuntimeDefault seccomp', (_name, pod) => {
    const podSc = (pod.securityContext ?? {}) as Obj;
    for (const c of [...arr(pod.initContainers), ...arr(pod.containers)]) {
      const sc = (c.securityContext ?? {}) as Obj;
      const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      const runAsUser = sc.runAsUser ?? podSc.runAsUser;
      const seccomp = get(sc, 'seccompProfile.type') ?? get(podSc, 'seccompProfile.type');
      expect(runAsNonRoot, String(c.name)).toBe(true);
      expect(typeof runAsUser, String(c.name)).toBe('number');
      expect(runAsUser).not.toBe(0);
      expect(seccomp, String(c.name)).toBe('RuntimeDefault');
    }
  });

  it.each(templates)('%s: containers drop all capabilities, cannot escalate and have a read-only root', (_name, pod) => {
    const containers = [...arr(pod.initContainers), ...arr(pod.containers)];
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      const sc = (c.securityContext ?? {}) as Obj;
      expect(sc.allowPrivilegeEscalation, String(c.name)).toBe(false);
      expect(sc.readOnlyRootFilesystem, String(c.name)).toBe(true);
      expect(get(sc, 'capabilities.drop'), String(c.name)).toEqual(['ALL']);
      expect(get(sc, 'capabilities.add'), String(c.name)).toBeUndefined();
    }
  });

  it.each(templates)('%s: containers have CPU and memory requests and limits, and the release image', (_name, pod) => {
    for (const c of arr(pod.containers)) {
      for (const kind of ['requests', 'limits']) {
        expect(get(c, `resources.${kind}.cpu`), `${String(c.name)} ${kind}.cpu`).toBeDefined();
        expect(get(c, `resources.${kind}.memory`), `${String(c.name)} ${kind}.memory`).toBeDefined();
      }
      expect(c.image).toBe(IMAGE);
    }
  });

  it.each(templates)('%s: mounts a token only by explicit opt-in, of a ServiceAccount that is defined here', (_name, pod) => {
    const sa = one('ServiceAccount', String(pod.serviceAccountName));
    // Both components call the API server, so their Pods opt in; the accounts default to no token.
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(get(sa, 'automountServiceAccountToken')).toBe(false);
  });
});

describe('webhook Deployment, Service and disruption budget', () => {
  const deployment = one('Deployment', 'shoot-maintenance-webhook');
  const pod = get(deployment, 'spec.template.spec') as Obj;
  const container = arr(pod.containers)[0]!;
  const args = (container.args ?? []) as string[];
  const podLabels = get(deployment, 'spec.template.metadata.labels') as Record<string, string>;
  const portByName = new Map(arr(container.ports).map((p) => [String(p.name), Number(p.containerPort)]));

  function argValue(flag: string): string | undefined {
    const eq = args.find((a) => a.startsWith(`${flag}=`));
    if (eq) return eq.slice(flag.length + 1);
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  }

  it('runs the webhook command on 0.0.0.0:8443 with the scheduler identity', () => {
    expect(args[0]).toBe('webhook');
    expect(argValue('--host')).toBe('0.0.0.0');
    expect(argValue('--port')).toBe('8443');
    expect(argValue('--scheduler-user')).toBe(`system:serviceaccount:${NAMESPACE}:shoot-maintenance-scheduler`);
    expect(pod.serviceAccountName).toBe('shoot-maintenance-webhook');
  });

  it('runs two replicas spread across nodes', () => {
    expect(get(deployment, 'spec.replicas')).toBe(2);
    const spread = arr(pod.topologySpreadConstraints).find((t) => t.topologyKey === 'kubernetes.io/hostname');
    expect(spread?.whenUnsatisfiable).toBe('DoNotSchedule');
    expect(get(spread, 'labelSelector.matchLabels')).toEqual(get(deployment, 'spec.selector.matchLabels'));
  });

  it('probes readiness on /readyz and liveness on /healthz over HTTPS on the serving port', () => {
    expect(get(container, 'readinessProbe.httpGet')).toMatchObject({ scheme: 'HTTPS', path: '/readyz' });
    expect(get(container, 'livenessProbe.httpGet')).toMatchObject({ scheme: 'HTTPS', path: '/healthz' });
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const port = get(container, `${probe}.httpGet.port`);
      expect(typeof port === 'number' ? port : portByName.get(String(port))).toBe(8443);
    }
  });

  it("mounts the serving certificate cert-manager writes at --cert-dir", () => {
    const cert = one('Certificate', 'shoot-maintenance-webhook');
    const volume = arr(pod.volumes).find((v) => get(v, 'secret.secretName') === get(cert, 'spec.secretName'));
    expect(volume, 'a volume of the serving certificate Secret').toBeDefined();
    const mount = arr(container.volumeMounts).find((m) => m.name === volume!.name);
    expect(mount?.mountPath).toBe(argValue('--cert-dir'));
    const items = arr(get(volume, 'secret.items'));
    if (items.length > 0) expect(items.map((i) => i.path).sort()).toEqual(['tls.crt', 'tls.key']);
  });

  it('is reached through a Service on 443 that forwards to 8443', () => {
    const svc = one('Service', 'shoot-maintenance-webhook');
    const selector = get(svc, 'spec.selector') as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect(podLabels[k], `selector ${k}`).toBe(v);
    const port = arr(get(svc, 'spec.ports')).find((p) => p.port === 443);
    expect(port).toBeDefined();
    const target = port!.targetPort;
    expect(typeof target === 'number' ? target : portByName.get(String(target))).toBe(8443);
  });

  it('keeps at least one replica through voluntary disruptions', () => {
    const pdb = one('PodDisruptionBudget', 'shoot-maintenance-webhook');
    expect(get(pdb, 'spec.minAvailable')).toBe(1);
    for (const [k, v] of Object.entries(get(pdb, 'spec.selector.matchLabels') as Record<string, string>)) {
      expect(podLabels[k]).toBe(v);
    }
  });
});

describe('scheduler Deployment', () => {
  const deployment = one('Deployment', 'shoot-maintenance-scheduler');
  const pod = get(deployment, 'spec.template.spec') as Obj;
  const container = arr(pod.containers)[0]!;
  const args = (container.args ?? []) as string[];
  const argValue = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);

  it('runs two leader-elected replicas on the Lease its Role names', () => {
    expect(args[0]).toBe('scheduler');
    // The Lease holder is the Pod's name (downward API).
    expect(argValue('--identity')).toBe('$(POD_NAME)');
    const podName = arr(container.env).find((e) => e.name === 'POD_NAME');
    expect(get(podName, 'valueFrom.fieldRef.fieldPath')).toBe('metadata.name');
    expect(get(deployment, 'spec.replicas')).toBe(2);
    expect(pod.serviceAccountName).toBe('shoot-maintenance-scheduler');
    const role = one('Role', 'shoot-maintenance-scheduler-leader-election');
    const leaseRule = arr(get(role, 'rules')).find((r) => Array.isArray(r.resourceNames));
    expect(leaseRule?.resourceNames).toEqual([argValue('--lease-name')]);
    // The lease namespace is the Pod's own (downward API) or written out; either way the Role's.
    const leaseNamespace = argValue('--lease-namespace');
    const fromEnv = /^\$\((\w+)\)$/.exec(leaseNamespace ?? '');
    if (fromEnv) {
      const env = arr(container.env).find((e) => e.name === fromEnv[1]);
      expect(get(env, 'valueFrom.fieldRef.fieldPath')).toBe('metadata.namespace');
    } else {
      expect(leaseNamespace).toBe(role.metadata.namespace);
    }
  });

  it('serves /metrics and /healthz on the metrics port its probes and Service use', () => {
    const metricsPort = Number(argValue('--metrics-port'));
    expect(metricsPort).toBe(8080);
    // The scheduler listens on 127.0.0.1 unless told otherwise; probes come in on the Pod IP.
    expect(argValue('--metrics-host')).toBe('0.0.0.0');
    const named = new Map(arr(container.ports).map((p) => [String(p.name), Number(p.containerPort)]));
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      expect(get(container, `${probe}.httpGet.path`)).toBe('/healthz');
      const port = get(container, `${probe}.httpGet.port`);
      expect(typeof port === 'number' ? port : named.get(String(port))).toBe(metricsPort);
    }
    const svc = one('Service', 'shoot-maintenance-scheduler-metrics');
    const target = arr(get(svc, 'spec.ports'))[0]?.targetPort;
    expect(typeof target === 'number' ? target : named.get(String(target))).toBe(metricsPort);
  });
});

describe('webhook configurations', () => {
  const mutating = all('MutatingWebhookConfiguration');
  const validating = all('ValidatingWebhookConfiguration');
  const webhooks = [...mutating, ...validating].flatMap((cfg) =>
    arr(cfg.webhooks).map((w) => [String(w.name), w, cfg] as const),
  );
  const crdScope = (plural: string) =>
    get(
      all('CustomResourceDefinition').find((c) => get(c, 'spec.names.plural') === plural),
      'spec.scope',
    );

  /** The resource a webhook is for, from its name (`validate.<resource>.maintenance.gardener.cloud`). */
  const resourceOf = (name: string) =>
    (/\.(shoots|cloudprofiles|namespacedcloudprofiles|maintenanceexclusions|clustermaintenanceexclusions)\./.exec(name)?.[1] ?? '') as AdmittedResource;

  it('registers exactly the six webhooks, each on its route', () => {
    expect(mutating).toHaveLength(1);
    expect(validating).toHaveLength(1);
    expect(arr(mutating[0]!.webhooks).map((w) => [w.name, get(w, 'clientConfig.service.path')])).toEqual([
      ['mutate.shoots.maintenance.gardener.cloud', '/mutate/shoots'],
    ]);
    expect(arr(validating[0]!.webhooks).map((w) => [w.name, get(w, 'clientConfig.service.path')])).toEqual([
      ['validate.shoots.maintenance.gardener.cloud', '/validate/shoots'],
      ['validate.cloudprofiles.maintenance.gardener.cloud', '/validate/cloudprofiles'],
      ['validate.namespacedcloudprofiles.maintenance.gardener.cloud', '/validate/namespacedcloudprofiles'],
      ['validate.maintenanceexclusions.maintenance.gardener.cloud', '/validate/maintenanceexclusions'],
      ['validate.clustermaintenanceexclusions.maintenance.gardener.cloud', '/validate/clustermaintenanceexclusions'],
    ]);
  });

  it.each(webhooks)('%s: v1 reviews, no side effects, short timeout, Equivalent, Fail', (_name, w) => {
    expect(w.admissionReviewVersions).toEqual(['v1']);
    expect(w.sideEffects).toBe('None');
    expect(w.timeoutSeconds).toBeGreaterThanOrEqual(1);
    expect(w.timeoutSeconds).toBeLessThanOrEqual(10);
    expect(w.matchPolicy).toBe('Equivalent');
    expect(w.failurePolicy).toBe('Fail');
  });

  it.each(webhooks)('%s: calls the webhook Service on 443, CA injected by cert-manager', (_name, w, cfg) => {
    const service = get(w, 'clientConfig.service') as Obj;
    expect(service).toMatchObject({ name: 'shoot-maintenance-webhook', namespace: NAMESPACE, port: 443 });
    expect(get(w, 'clientConfig.url')).toBeUndefined();
    one('Service', String(service.name));
    const inject = cfg.metadata.annotations?.['cert-manager.io/inject-ca-from'];
    expect(inject).toBe(`${NAMESPACE}/shoot-maintenance-webhook`);
    const [ns, name] = inject!.split('/');
    expect(one('Certificate', name!).metadata.namespace).toBe(ns);
  });

  it.each(webhooks)('%s: matches CREATE and UPDATE of its one resource (no subresources)', (name, w) => {
    const resource = resourceOf(name);
    const freeze = resource.endsWith('maintenanceexclusions');
    const rules = arr(w.rules);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toEqual({
      apiGroups: [freeze ? 'maintenance.shoot-maintenance.io' : 'core.gardener.cloud'],
      apiVersions: [freeze ? 'v1alpha1' : 'v1beta1'],
      operations: ['CREATE', 'UPDATE'],
      resources: [resource],
      scope: crdScope(resource),
    });
  });

  // One copy of the conditions: the manifests carry src/admission/match-conditions.ts verbatim,
  // and the test cluster registers the same (its e2e tests then exercise what users install).
  it.each(webhooks)('%s: matchConditions as src/admission/match-conditions.ts has them, as the test cluster registers them', (name, w) => {
    const resource = resourceOf(name);
    const expected = matchConditionsFor(resource);
    expect(w.matchConditions ?? []).toEqual(expected);
    const registered = webhookConfigurations(1, 'ca').flatMap((cfg) => arr((cfg as Obj).webhooks)).find((r) => r.name === name);
    expect(registered?.matchConditions ?? []).toEqual(expected);
  });

  it('only NamespacedCloudProfiles are always sent (Gardener validates their metadata-only updates too)', () => {
    expect(webhooks.filter(([, w]) => w.matchConditions === undefined).map(([name]) => name)).toEqual([
      'validate.namespacedcloudprofiles.maintenance.gardener.cloud',
    ]);
  });
});

describe('cert-manager objects', () => {
  const issuers = all('Issuer');
  const certificates = all('Certificate');
  const issuerOf = (cert: K8sObject) => {
    expect(get(cert, 'spec.issuerRef.kind')).toBe('Issuer');
    return one('Issuer', String(get(cert, 'spec.issuerRef.name')));
  };

  it('chain: self-signed Issuer → CA Certificate → CA Issuer → serving Certificate', () => {
    const serving = one('Certificate', 'shoot-maintenance-webhook');
    const caIssuer = issuerOf(serving);
    const caSecret = get(caIssuer, 'spec.ca.secretName');
    expect(caSecret).toBeDefined();
    const caCert = certificates.find((c) => get(c, 'spec.secretName') === caSecret);
    expect(caCert, 'the Certificate that writes the CA Secret').toBeDefined();
    expect(get(caCert, 'spec.isCA')).toBe(true);
    expect(get(issuerOf(caCert!), 'spec.selfSigned')).toEqual({});
    expect(issuers).toHaveLength(2);
    expect(certificates).toHaveLength(2);
  });

  it('the serving certificate names the Service DNS names', () => {
    const dnsNames = get(one('Certificate', 'shoot-maintenance-webhook'), 'spec.dnsNames');
    expect(dnsNames).toEqual(
      expect.arrayContaining([
        `shoot-maintenance-webhook.${NAMESPACE}.svc`,
        `shoot-maintenance-webhook.${NAMESPACE}.svc.cluster.local`,
      ]),
    );
  });

  it.each(certificates.map((c) => [c.metadata.name, c] as const))(
    '%s: is renewed well before it expires',
    (_name, cert) => {
      const duration = hours(get(cert, 'spec.duration'));
      const renewBefore = hours(get(cert, 'spec.renewBefore'));
      expect(renewBefore).toBeGreaterThanOrEqual(24);
      expect(renewBefore).toBeLessThan(duration);
    },
  );

  it('the CA outlives every serving certificate it signs by more than their lifetime', () => {
    const ca = certificates.find((c) => get(c, 'spec.isCA') === true)!;
    const serving = one('Certificate', 'shoot-maintenance-webhook');
    // When the CA renews, a serving certificate it signed stays valid until its own renewal.
    expect(hours(get(ca, 'spec.renewBefore'))).toBeGreaterThan(hours(get(serving, 'spec.duration')));
  });
});

describe('RBAC: exactly what each component uses', () => {
  // "group/resource[names]" → sorted verbs
  function permissions(rules: Obj[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const rule of rules) {
      for (const group of rule.apiGroups as string[]) {
        for (const resource of rule.resources as string[]) {
          const names = rule.resourceNames ? `[${(rule.resourceNames as string[]).join(',')}]` : '';
          const key = `${group}/${resource}${names}`;
          out[key] = [...new Set([...(out[key] ?? []), ...(rule.verbs as string[])])].sort();
        }
      }
    }
    return out;
  }

  it('the webhook reads CloudProfiles and NamespacedCloudProfiles and nothing else', () => {
    expect(permissions(arr(get(one('ClusterRole', 'shoot-maintenance-webhook'), 'rules')))).toEqual({
      'core.gardener.cloud/cloudprofiles': ['get', 'list', 'watch'],
      'core.gardener.cloud/namespacedcloudprofiles': ['list', 'watch'],
    });
  });

  it('the scheduler: Shoots, their status, CloudProfiles, NamespacedCloudProfiles, freezes, Namespaces, Events', () => {
    expect(permissions(arr(get(one('ClusterRole', 'shoot-maintenance-scheduler'), 'rules')))).toEqual({
      'core.gardener.cloud/shoots': ['get', 'list', 'patch', 'update', 'watch'],
      'core.gardener.cloud/shoots/status': ['patch'],
      'core.gardener.cloud/cloudprofiles': ['get', 'list', 'watch'],
      'core.gardener.cloud/namespacedcloudprofiles': ['list', 'watch'],
      'maintenance.shoot-maintenance.io/maintenanceexclusions': ['list', 'watch'],
      'maintenance.shoot-maintenance.io/clustermaintenanceexclusions': ['list', 'watch'],
      '/namespaces': ['list', 'watch'],
      '/events': ['create', 'patch'],
    });
  });

  it('the scheduler: its own Lease by name, create in its namespace only', () => {
    const role = one('Role', 'shoot-maintenance-scheduler-leader-election');
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(permissions(arr(get(role, 'rules')))).toEqual({
      'coordination.k8s.io/leases[shoot-maintenance-scheduler]': ['get', 'update'],
      'coordination.k8s.io/leases': ['create'],
    });
  });

  it('no wildcard anywhere', () => {
    for (const role of [...all('ClusterRole'), ...all('Role')]) {
      for (const rule of arr(role.rules)) {
        for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames']) {
          expect(rule[field] ?? [], `${role.metadata.name} ${field}`).not.toContain('*');
        }
      }
    }
    expect(all('ClusterRole')).toHaveLength(2);
    expect(all('Role')).toHaveLength(1);
  });

  it.each([
    ['ClusterRoleBinding', 'shoot-maintenance-webhook', 'ClusterRole', 'shoot-maintenance-webhook'],
    ['ClusterRoleBinding', 'shoot-maintenance-scheduler', 'ClusterRole', 'shoot-maintenance-scheduler'],
    ['RoleBinding', 'shoot-maintenance-scheduler-leader-election', 'Role', 'shoot-maintenance-scheduler'],
  ])('%s %s binds its %s to its ServiceAccount only', (kind, name, roleKind, account) => {
    const binding = one(kind, name);
    expect(get(binding, 'roleRef.kind')).toBe(roleKind);
    one(roleKind, String(get(binding, 'roleRef.name')));
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: NAMESPACE }]);
  });
});

describe('Deployment arguments are options the commands really have', () => {
  // The CLI's own option list (commander), not a copy: a renamed flag fails here, not at rollout.
  function optionsOf(register: (program: Command) => void): Set<string> {
    const program = new Command();
    register(program);
    const command = program.commands[0]!;
    return new Set(command.options.map((o) => o.long).filter((l): l is string => l !== undefined));
  }

  it.each([
    ['shoot-maintenance-webhook', 'webhook', registerWebhookCommand],
    ['shoot-maintenance-scheduler', 'scheduler', registerSchedulerCommand],
  ] as const)('%s runs `%s` with known flags only', (deployment, command, register) => {
    const known = optionsOf(register);
    const container = arr(get(one('Deployment', deployment), 'spec.template.spec.containers'))[0]!;
    const args = container.args as string[];
    expect(args[0]).toBe(command);
    const flags = args.slice(1).map((a) => a.split('=')[0]!);
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(known, `${command} ${flag}`).toContain(flag);
  });
});
