// cert-manager for real on the test cluster (kube-apiserver + etcd): its controller and CA
// injector run as host processes with their own ServiceAccount tokens and the Helm chart's RBAC
// (tools/test-cluster/cert-manager.ts). Of manifests/ (rendered by `kubectl kustomize`, as
// users apply it) only the Namespace, the Issuers and Certificates and both webhook
// configurations are applied: no Pod can run on this cluster. No Shoot CRD is installed either,
// so the API server never calls the webhooks those configurations name.
//
// Proves: the Issuers and Certificates become Ready; the serving Secret carries ca.crt and a
// certificate for the Service names signed by that CA; the CA injector copies ca.crt into every
// webhook of both configurations; a manual renewal the way `cmctl renew` does it (the Issuing
// condition set on the Certificate's status) issues a new certificate with a new serial number;
// a renewed CA reaches the caBundle once the serving certificate is renewed, next to the old CA
// (cainjector's CAInjectorMerging, beta and on by default since v1.19, keeps every unexpired CA
// it injected before). Real kubectl only.
//
// Binaries come from the build cache: `npm run cluster:build -- all` (missing → the suite fails
// with that command; never a skip).
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot, resolveBinaries, resolveCertManagerBinaries } from '../../tools/test-cluster/binaries.js';
import { startCertManager, type CertManager } from '../../tools/test-cluster/cert-manager.js';
import { startTestCluster, type KubectlResult, type TestCluster } from '../../tools/test-cluster/cluster.js';

const NS = 'shoot-maintenance';
const WEBHOOK_CERT = 'shoot-maintenance-webhook';
const WEBHOOK_SECRET = 'shoot-maintenance-webhook-tls';
const CA_CERT = 'shoot-maintenance-ca';
const CA_SECRET = 'shoot-maintenance-ca';
const WEBHOOK_CONFIG = 'shoot-maintenance';
const SERVICE_NAMES = ['shoot-maintenance-webhook.shoot-maintenance.svc', 'shoot-maintenance-webhook.shoot-maintenance.svc.cluster.local'];

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; generation?: number; annotations?: Record<string, string> };
}

// At load time, so that a missing binary fails the file with the command that builds it (a
// failing beforeAll would leave its tests reported as skipped).
const binaries = resolveBinaries();
const certManagerBinaries = resolveCertManagerBinaries();

let cluster: TestCluster | undefined;
let certManager: CertManager | undefined;
const log = (line: string) => process.stderr.write(`${line}\n`);

function describeResult(r: KubectlResult): string {
  return `exit ${r.code}\n${r.stdout}${r.stderr}`.trim();
}

async function kubectl(args: string[], input?: string): Promise<string> {
  if (!cluster) throw new Error('no cluster');
  const r = await cluster.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${describeResult(r)}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 500 ms until it returns a value, for at most `timeoutMs`; then fails with `what` and the last state. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, lastState: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`${what}: not after ${timeoutMs} ms; last state: ${lastState()}`);
    await sleep(500);
  }
}

interface IssuedSecret {
  type: string;
  annotations: Record<string, string>;
  caPem: string;
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
  ca: X509Certificate;
}

async function readTlsSecret(name: string): Promise<IssuedSecret> {
  const secret = JSON.parse(await kubectl(['get', 'secret', name, '-n', NS, '-o', 'json'])) as {
    type: string;
    metadata: { annotations?: Record<string, string> };
    data: Record<string, string>;
  };
  const decode = (key: string) => {
    const value = secret.data[key];
    if (value === undefined) throw new Error(`Secret ${NS}/${name} has no ${key}; keys: ${Object.keys(secret.data).join(', ')}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  const caPem = decode('ca.crt');
  const certPem = decode('tls.crt');
  return {
    type: secret.type,
    annotations: secret.metadata.annotations ?? {},
    caPem,
    certPem,
    keyPem: decode('tls.key'),
    cert: new X509Certificate(certPem),
    ca: new X509Certificate(caPem),
  };
}

/** The caBundle of every webhook in a configuration, decoded ('' where none is set). */
async function caBundles(kind: 'mutatingwebhookconfiguration' | 'validatingwebhookconfiguration'): Promise<string[]> {
  const config = JSON.parse(await kubectl(['get', kind, WEBHOOK_CONFIG, '-o', 'json'])) as { webhooks: { name: string; clientConfig: { caBundle?: string } }[] };
  return config.webhooks.map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'));
}

/** Serial numbers of the certificates in a PEM bundle, in order. */
function serialsIn(bundle: string): string[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).serialNumber);
}

/** Waits until every webhook of both configurations carries exactly `caPem` (one or more PEM certificates). */
async function waitForInjected(caPem: string, timeoutMs = 60_000): Promise<{ mutating: string[]; validating: string[] }> {
  let last = { mutating: [] as string[], validating: [] as string[] };
  return waitFor(
    'caBundle injected into both webhook configurations',
    timeoutMs,
    async () => {
      last = { mutating: await caBundles('mutatingwebhookconfiguration'), validating: await caBundles('validatingwebhookconfiguration') };
      const all = [...last.mutating, ...last.validating];
      return all.length > 0 && all.every((b) => b === caPem) ? last : undefined;
    },
    () => `serials wanted ${JSON.stringify(serialsIn(caPem))}, found ${JSON.stringify({ mutating: last.mutating.map(serialsIn), validating: last.validating.map(serialsIn) })}`,
  );
}

async function certificateStatus(name: string): Promise<{ generation: number; revision?: number; conditions: { type: string; status: string; reason?: string }[] }> {
  const cert = JSON.parse(await kubectl(['get', 'certificate', name, '-n', NS, '-o', 'json'])) as {
    metadata: { generation: number };
    status?: { revision?: number; conditions?: { type: string; status: string; reason?: string }[] };
  };
  return { generation: cert.metadata.generation, revision: cert.status?.revision, conditions: cert.status?.conditions ?? [] };
}

/**
 * Forces a renewal the way cert-manager documents it (`cmctl renew`: the Certificate's status
 * gets the condition Issuing=True, reason ManuallyTriggered), here with kubectl on the status
 * subresource; then waits (bounded) until cert-manager has issued the next revision and the
 * Certificate is Ready again. Returns kubectl's outputs.
 */
async function renew(name: string): Promise<{ revision: number; output: string[] }> {
  const before = await certificateStatus(name);
  if (before.revision === undefined) throw new Error(`Certificate ${name} has no revision yet`);
  const condition = {
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    observedGeneration: before.generation,
  };
  const output = [
    await kubectl([
      'patch',
      'certificate',
      name,
      '-n',
      NS,
      '--subresource=status',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'add', path: '/status/conditions/-', value: condition }]),
    ]),
  ];
  const revision = before.revision + 1;
  output.push(await kubectl(['wait', `--for=jsonpath={.status.revision}=${revision}`, '--timeout=90s', '-n', NS, `certificate/${name}`]));
  output.push(await kubectl(['wait', '--for=condition=Ready', '--timeout=30s', '-n', NS, `certificate/${name}`]));
  return { revision, output };
}

beforeAll(async () => {
  cluster = await startTestCluster({ binaries, log, keep: process.env.DEPLOY_KEEP_CLUSTER_DIR === 'true' });
  certManager = await startCertManager({ cluster, binaries: certManagerBinaries, log });

  const rendered = parseAllDocuments(await kubectl(['kustomize', join(repoRoot(), 'manifests')]))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  const picked = rendered.filter(
    (o) =>
      o.kind === 'Namespace' ||
      o.apiVersion === 'cert-manager.io/v1' ||
      o.kind === 'MutatingWebhookConfiguration' ||
      o.kind === 'ValidatingWebhookConfiguration',
  );
  expect(picked.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual([
    'Certificate/shoot-maintenance-ca',
    'Certificate/shoot-maintenance-webhook',
    'Issuer/shoot-maintenance-ca',
    'Issuer/shoot-maintenance-selfsigned',
    'MutatingWebhookConfiguration/shoot-maintenance',
    'Namespace/shoot-maintenance',
    'ValidatingWebhookConfiguration/shoot-maintenance',
  ]);
  const applied = await kubectl(['apply', '-f', '-'], picked.map((o) => stringify(o)).join('---\n'));
  log(`[deploy] kubectl apply (manifests/: Namespace, Issuers, Certificates, webhook configurations):\n${applied.trimEnd()}`);
}, 600_000);

afterAll(async () => {
  await certManager?.stop();
  await cluster?.stop();
});

describe('cert-manager on the test cluster', () => {
  it('runs as its own ServiceAccounts and holds its Leases in kube-system', async () => {
    const cm = certManager as CertManager;
    for (const component of [cm.controller, cm.cainjector]) {
      const whoami = await (cluster as TestCluster).kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], {
        kubeconfig: component.identity.kubeconfigPath,
      });
      expect(describeResult(whoami)).toBe(`exit 0\n${component.identity.username}`);
      const holder = await kubectl(['get', 'lease', component.lease.name, '-n', component.lease.namespace, '-o', 'jsonpath={.spec.holderIdentity}']);
      expect(holder).toBe(component.lease.holderIdentity);
    }
    expect(cm.controller.identity.username).toBe('system:serviceaccount:cert-manager:cert-manager');
    expect(cm.cainjector.identity.username).toBe('system:serviceaccount:cert-manager:cert-manager-cainjector');

    // The chart's split of duties: only the controller writes Secrets, only the injector writes
    // webhook configurations.
    const canI = async (user: string, ...args: string[]) => {
      const r = await (cluster as TestCluster).kubectl(['auth', 'can-i', ...args, `--as=${user}`]);
      return r.stdout.trim();
    };
    const controllerUser = cm.controller.identity.username;
    const injectorUser = cm.cainjector.identity.username;
    expect(await canI(controllerUser, 'create', 'secrets', '-n', NS)).toBe('yes');
    expect(await canI(controllerUser, 'patch', 'mutatingwebhookconfigurations')).toBe('no');
    expect(await canI(injectorUser, 'patch', 'validatingwebhookconfigurations')).toBe('yes');
    expect(await canI(injectorUser, 'create', 'secrets', '-n', NS)).toBe('no');
    expect(await canI(injectorUser, 'update', 'certificates.cert-manager.io', '-n', NS)).toBe('no');
  });

  it("makes the manifests' Issuers and Certificates Ready", async () => {
    const out = await kubectl([
      'wait',
      '--for=condition=Ready',
      '--timeout=120s',
      '-n',
      NS,
      'issuer/shoot-maintenance-selfsigned',
      `certificate/${CA_CERT}`,
      'issuer/shoot-maintenance-ca',
      `certificate/${WEBHOOK_CERT}`,
    ]);
    log(`[deploy] kubectl wait --for=condition=Ready:\n${out.trimEnd()}`);
    expect(out.trim().split('\n')).toEqual([
      'issuer.cert-manager.io/shoot-maintenance-selfsigned condition met',
      `certificate.cert-manager.io/${CA_CERT} condition met`,
      'issuer.cert-manager.io/shoot-maintenance-ca condition met',
      `certificate.cert-manager.io/${WEBHOOK_CERT} condition met`,
    ]);
    log(`[deploy] kubectl get certificates,issuers -n ${NS}:\n${(await kubectl(['get', 'certificates,issuers', '-n', NS])).trimEnd()}`);
  });

  it('issues the serving Secret with ca.crt: a certificate for the Service names, signed by the CA', async () => {
    const issued = await readTlsSecret(WEBHOOK_SECRET);
    const ca = await readTlsSecret(CA_SECRET);
    expect(issued.type).toBe('kubernetes.io/tls');
    expect(issued.annotations['cert-manager.io/certificate-name']).toBe(WEBHOOK_CERT);
    expect(issued.annotations['cert-manager.io/issuer-name']).toBe('shoot-maintenance-ca');
    expect(issued.keyPem).toContain('PRIVATE KEY');
    // ca.crt is the CA Certificate's own certificate, and it signed tls.crt.
    expect(issued.caPem).toBe(ca.certPem);
    expect(issued.ca.ca).toBe(true);
    expect(issued.ca.subject).toBe('CN=shoot-maintenance-ca');
    expect(issued.cert.issuer).toBe(issued.ca.subject);
    expect(issued.cert.verify(issued.ca.publicKey)).toBe(true);
    expect(issued.cert.subjectAltName).toBe(SERVICE_NAMES.map((n) => `DNS:${n}`).join(', '));
    log(`[deploy] ${WEBHOOK_SECRET}: serial ${issued.cert.serialNumber}, subject ${issued.cert.subject}, issuer ${issued.cert.issuer}, valid to ${issued.cert.validTo}`);

    const events = await kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      `involvedObject.kind=Certificate,involvedObject.name=${WEBHOOK_CERT}`,
      '-o',
      'jsonpath={range .items[*]}{.reason}: {.message} ({.source.component}){"\\n"}{end}',
    ]);
    log(`[deploy] Events of Certificate ${WEBHOOK_CERT}:\n${events.trimEnd()}`);
    expect(events).toContain('Issuing: The certificate has been successfully issued (cert-manager-certificates-issuing)');
  });

  it("injects the Secret's ca.crt into every webhook of both webhook configurations", async () => {
    const issued = await readTlsSecret(WEBHOOK_SECRET);
    const injected = await waitForInjected(issued.caPem);
    expect(injected.mutating).toHaveLength(1);
    expect(injected.validating).toHaveLength(5);
    log(`[deploy] caBundle == ca.crt (serial ${issued.ca.serialNumber}) in mutate.shoots, validate.shoots, validate.cloudprofiles, validate.namespacedcloudprofiles, validate.maintenanceexclusions, validate.clustermaintenanceexclusions`);
  });

  it('renews on a manual trigger (the Issuing condition, as cmctl renew sets it): a new serial number, the same CA, still injected', async () => {
    const before = await readTlsSecret(WEBHOOK_SECRET);
    const { revision, output } = await renew(WEBHOOK_CERT);
    log(`[deploy] renewal of ${WEBHOOK_CERT}:\n${output.map((o) => o.trimEnd()).join('\n')}`);
    const after = await readTlsSecret(WEBHOOK_SECRET);
    log(`[deploy] serial ${before.cert.serialNumber} -> ${after.cert.serialNumber} (revision ${revision})`);
    expect(revision).toBe(2);
    expect(after.cert.serialNumber).not.toBe(before.cert.serialNumber);
    expect(after.keyPem).not.toBe(before.keyPem); // rotationPolicy: Always
    expect(after.caPem).toBe(before.caPem);
    expect(after.cert.verify(after.ca.publicKey)).toBe(true);
    await waitForInjected(after.caPem);
  });

  it('carries a renewed CA into both caBundles, next to the old one, once the serving certificate is renewed with it', async () => {
    const oldCa = await readTlsSecret(CA_SECRET);
    const caRenewal = await renew(CA_CERT);
    const newCa = await readTlsSecret(CA_SECRET);
    expect(newCa.cert.serialNumber).not.toBe(oldCa.cert.serialNumber);
    // cert-manager re-signs leaves only on their own renewal: the serving Secret still holds the old CA.
    expect((await readTlsSecret(WEBHOOK_SECRET)).ca.serialNumber).toBe(oldCa.cert.serialNumber);

    const leafRenewal = await renew(WEBHOOK_CERT);
    const issued = await readTlsSecret(WEBHOOK_SECRET);
    expect(issued.caPem).toBe(newCa.certPem);
    expect(issued.cert.verify(newCa.cert.publicKey)).toBe(true);
    // Merged, not replaced: the old CA stays trusted until it expires, so the API server accepts
    // the webhook whether a replica still serves the old certificate or already the new one.
    const injected = await waitForInjected(oldCa.certPem + newCa.certPem);
    expect(serialsIn(injected.validating[0] ?? '')).toEqual([oldCa.cert.serialNumber, newCa.cert.serialNumber]);
    log(
      `[deploy] CA serial ${oldCa.cert.serialNumber} -> ${newCa.cert.serialNumber} (revision ${caRenewal.revision}); serving certificate revision ${leafRenewal.revision}, serial ${issued.cert.serialNumber}, signed by the new CA; caBundle of all four webhooks: old CA + new CA`,
    );
  });
});
