// Registers the webhook with a test cluster: one MutatingWebhookConfiguration and one
// ValidatingWebhookConfiguration, each webhook reached by URL on 127.0.0.1 (never a Service:
// the test cluster must never dial anything but loopback). Then waits until kube-apiserver,
// which loads webhook configurations through an informer, actually calls them.
import { matchConditionsFor } from '../../src/admission/match-conditions.js';
import type { AdmittedResource } from '../../src/admission/review.js';
import type { KubectlResult } from './kubectl.js';

export const MUTATING_CONFIGURATION = 'shoot-maintenance-mutate';
export const VALIDATING_CONFIGURATION = 'shoot-maintenance-validate';
export const MUTATE_SHOOTS = 'mutate.shoots.maintenance.gardener.cloud';
export const VALIDATE_SHOOTS = 'validate.shoots.maintenance.gardener.cloud';
export const VALIDATE_CLOUDPROFILES = 'validate.cloudprofiles.maintenance.gardener.cloud';
export const VALIDATE_NAMESPACEDCLOUDPROFILES = 'validate.namespacedcloudprofiles.maintenance.gardener.cloud';
export const VALIDATE_MAINTENANCEEXCLUSIONS = 'validate.maintenanceexclusions.maintenance.gardener.cloud';
export const VALIDATE_CLUSTERMAINTENANCEEXCLUSIONS = 'validate.clustermaintenanceexclusions.maintenance.gardener.cloud';

interface ClusterLike {
  kubectl(args: string[], opts?: { input?: string }): Promise<KubectlResult>;
}

interface WebhookLike {
  port: number;
  caCertPem: string;
}

export interface RegisteredWebhooks {
  mutating: string;
  validating: string;
}

function webhook(name: string, port: number, path: string, caBundle: string, resource: AdmittedResource) {
  const freeze = resource.endsWith('maintenanceexclusions');
  // The same conditions as manifests/webhook: writes that cannot change an answer are not sent.
  const matchConditions = matchConditionsFor(resource);
  return {
    name,
    clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
    rules: [
      {
        apiGroups: [freeze ? 'maintenance.shoot-maintenance.io' : 'core.gardener.cloud'],
        apiVersions: [freeze ? 'v1alpha1' : 'v1beta1'],
        operations: ['CREATE', 'UPDATE'],
        // Only the main resource: writes to shoots/status never reach the webhook.
        resources: [resource],
        scope: resource === 'cloudprofiles' || resource === 'clustermaintenanceexclusions' ? 'Cluster' : 'Namespaced',
      },
    ],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    timeoutSeconds: 5,
    ...(matchConditions.length > 0 ? { matchConditions } : {}),
  };
}

export function webhookConfigurations(port: number, caCertPem: string): object[] {
  const caBundle = Buffer.from(caCertPem, 'utf8').toString('base64');
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: MUTATING_CONFIGURATION },
      webhooks: [{ ...webhook(MUTATE_SHOOTS, port, '/mutate/shoots', caBundle, 'shoots'), reinvocationPolicy: 'Never' }],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: VALIDATING_CONFIGURATION },
      webhooks: [
        webhook(VALIDATE_SHOOTS, port, '/validate/shoots', caBundle, 'shoots'),
        webhook(VALIDATE_CLOUDPROFILES, port, '/validate/cloudprofiles', caBundle, 'cloudprofiles'),
        webhook(VALIDATE_NAMESPACEDCLOUDPROFILES, port, '/validate/namespacedcloudprofiles', caBundle, 'namespacedcloudprofiles'),
        webhook(VALIDATE_MAINTENANCEEXCLUSIONS, port, '/validate/maintenanceexclusions', caBundle, 'maintenanceexclusions'),
        webhook(VALIDATE_CLUSTERMAINTENANCEEXCLUSIONS, port, '/validate/clustermaintenanceexclusions', caBundle, 'clustermaintenanceexclusions'),
      ],
    },
  ];
}

// A shoot without a window: the mutating webhook either defaults one or denies (e.g. unknown
// profile); both prove it is called. Dry-run: nothing is stored.
const probeShoot = {
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'Shoot',
  metadata: { name: 'webhook-registration-probe', namespace: 'default' },
  spec: { cloudProfileName: 'webhook-registration-probe', kubernetes: { version: '1.0.0' }, provider: { type: 'local' } },
};

// Gardener's rule "the latest Kubernetes version must not expire": only our validating webhook
// denies this, so a denial by it proves the validating configuration is in effect.
const probeCloudProfile = {
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'CloudProfile',
  metadata: { name: 'webhook-registration-probe' },
  spec: {
    type: 'local',
    kubernetes: { versions: [{ version: '1.0.0', expirationDate: '2000-01-01T00:00:00Z' }] },
    machineImages: [{ name: 'probe', versions: [{ version: '1.0.0' }] }],
    machineTypes: [{ name: 'probe', cpu: '1', gpu: '0', memory: '1Gi', usable: true }],
  },
};

async function mutatingInEffect(cluster: ClusterLike): Promise<string | true> {
  const res = await cluster.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(probeShoot) });
  if (res.stderr.includes(`admission webhook "${MUTATE_SHOOTS}"`)) return true;
  if (res.code === 0) {
    const created = JSON.parse(res.stdout) as { spec?: { maintenance?: { timeWindow?: unknown } } };
    if (created.spec?.maintenance?.timeWindow !== undefined) return true;
    return 'shoot admitted without a defaulted window';
  }
  return res.stderr.trim();
}

async function validatingInEffect(cluster: ClusterLike): Promise<string | true> {
  const res = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(probeCloudProfile) });
  // The webhook denies with 403, so kubectl prints "admission webhook … denied the request: …";
  // the probe looks only for the rule's text, which is ours.
  if (res.code !== 0 && res.stderr.includes("expiration date of latest kubernetes version ('1.0.0') must not be set")) return true;
  return res.code === 0 ? 'invalid CloudProfile admitted' : res.stderr.trim();
}

async function probeUntil(probe: () => Promise<string | true>, deadline: number): Promise<string | true> {
  let last: string | true = 'not probed';
  while (Date.now() < deadline) {
    last = await probe();
    if (last === true) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

async function apply(cluster: ClusterLike, doc: object): Promise<void> {
  const res = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(doc) });
  if (res.code !== 0) throw new Error(`registering webhooks failed: ${res.stderr}`);
}

/**
 * Creates (or updates) both configurations and waits until kube-apiserver calls them.
 * The Shoot and CloudProfile CRDs must be established first.
 */
export async function registerWebhooks(
  cluster: ClusterLike,
  webhookProcess: WebhookLike,
  opts: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<RegisteredWebhooks> {
  const started = Date.now();
  const log = (step: string) => opts.log?.(`[webhooks +${Date.now() - started} ms] ${step}`);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const [mutating, validating] = webhookConfigurations(webhookProcess.port, webhookProcess.caCertPem) as [object, object];
  // Mutating first and alone, so that its probe (a defaulted window) cannot be masked by a
  // denial of the validating webhook.
  await apply(cluster, mutating);
  const mutatingResult = await probeUntil(() => mutatingInEffect(cluster), deadline);
  if (mutatingResult !== true) throw new Error(`mutating webhook registration not in effect: ${mutatingResult}`);
  log(`${MUTATING_CONFIGURATION} in effect`);
  await apply(cluster, validating);
  const validatingResult = await probeUntil(() => validatingInEffect(cluster), deadline);
  if (validatingResult !== true) throw new Error(`validating webhook registration not in effect: ${validatingResult}`);
  log(`${VALIDATING_CONFIGURATION} in effect`);
  return { mutating: MUTATING_CONFIGURATION, validating: VALIDATING_CONFIGURATION };
}
