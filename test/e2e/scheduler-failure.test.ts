// A maintenance that fails for real, and its recovery, end to end: the scheduler as deployed, the
// webhook registered, everything read back with kubectl. Expected texts are Gardener's, put
// together here from its pieces (gardener/gardener pkg/controllermanager/controller/shoot/
// maintenance/reconciler.go: (*Reconciler).reconcile, buildMaintenanceMessages,
// recordMaintenanceEventsForPool; the version reasons and errors of maintainKubernetesVersion,
// maintainMachineImages and v1beta1/helper), not copied from what the scheduler printed.
//
// 1. The maintained spec is refused by the API server (a ValidatingAdmissionPolicy of the test):
//    the update and then its dry run fail, lastMaintenance says so, `maintain` is dropped, nothing else changes and,
//    as in Gardener, no Event is recorded (Events follow a successful update only).
// 2. An expired Kubernetes version has no successor in its CloudProfile: the run lands (tasks,
//    `maintain` dropped) but its one item failed: lastMaintenance Failed and a Warning Event.
// 3. The real update is refused but its dry run passes: a Warning MaintenanceFailed Event,
//    `maintain` kept, retried with backoff.
// Each then recovers once the cause is gone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor } from './harness.js';
import { must, schedulerAsDeployed, settledUntilNextWindow, shootYaml, windowElsewhere, type SchedulerChild, type ShootJson } from './scheduler-support.js';

const OPERATION = 'gardener.cloud/operation';
const TASKS = 'shoot.gardener.cloud/tasks';
const RECORD = 'maintenance.gardener.cloud/last-maintenance';
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
// maintainTasks: the tasks of every run that updates the shoot (restartControlPlanePods: Gardener's default).
const ALL_TASKS = 'deployInfrastructure,deployDNSRecordInternal,deployDNSRecordExternal,deployDNSRecordIngress,restartControlPlanePods';

// Gardener's update reasons and result texts; descriptions and Event messages are built from them below.
const AUTO_K8S = 'Automatic update of Kubernetes version configured';
const AUTO_IMAGE = 'Automatic update of the machine image version is configured (image update strategy: major)';
const EXPIRED_K8S = 'Kubernetes version expired - force update required';
const updatedK8s = (from: string, to: string) => `Updated Kubernetes version from "${from}" to "${to}"`;
const updatedImage = (from: string, to: string) => `Updated machine image "gardenlinux" from "${from}" to "${to}"`;

const shootOf = (name: string, namespace: string) => getJson<ShootJson>('shoot', name, namespace);

/** The shoot's Events as `type<TAB>reason<TAB>message` lines (sorted), printed by kubectl. */
async function eventLines(namespace: string, name: string): Promise<string[]> {
  const out = await must(
    kubectl([
      'get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${name}`,
      '-o', 'jsonpath={range .items[*]}{.type}{"\\t"}{.reason}{"\\t"}{.message}{"\\n"}{end}',
    ]),
  );
  return out.split('\n').filter((l) => l !== '').sort();
}

/** The scheduler's `maintenance run` log lines for one shoot. */
const runsOf = (s: SchedulerChild, key: string) => s.lines().filter((l) => l.msg === 'maintenance run' && l.shoot === key);

/** kubectl patch of the Kubernetes version as the scheduler's identity, dry run: what its update would meet. */
function schedulerDryRunVersion(name: string, namespace: string, version: string) {
  return kubectl(
    ['patch', 'shoot', name, '-n', namespace, '--type=merge', '--dry-run=server', '-p', JSON.stringify({ spec: { kubernetes: { version } } })],
    { kubeconfig: ctx().scheduler.kubeconfigPath },
  );
}

/** Waits until the run asked for by `maintain` has finished: its log line is written and `maintain` is gone. */
async function finishedRun(s: SchedulerChild, name: string, namespace: string, runsBefore: number): Promise<ShootJson> {
  return waitFor(async () => {
    if (runsOf(s, `${namespace}/${name}`).length <= runsBefore) return undefined;
    const shoot = await shootOf(name, namespace);
    return shoot.status?.lastMaintenance && shoot.metadata.annotations?.[OPERATION] === undefined ? shoot : undefined;
  }, 60_000, 300);
}

/**
 * kube-apiserver's own admission (no webhook): refuses the scheduler's Kubernetes version changes
 * of shoots in one namespace with `message`; metadata-only updates (dropping `maintain`) pass.
 * `realOnly`: dry runs pass, only the real update is refused.
 */
function freezePolicy(name: string, namespace: string, message: string, realOnly = false): string {
  const dryRun = realOnly ? `\n    - { name: not-a-dry-run, expression: "request.dryRun != true" }` : '';
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${name} }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - { apiGroups: ["core.gardener.cloud"], apiVersions: ["*"], operations: ["UPDATE"], resources: ["shoots"] }
  matchConditions:
    - { name: the-scheduler, expression: "request.userInfo.username == '${ctx().scheduler.username}'" }${dryRun}
  validations:
    - { expression: "object.spec.kubernetes.version == oldObject.spec.kubernetes.version", message: "${message}" }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: ${name} }
spec:
  policyName: ${name}
  validationActions: [Deny]
  matchResources:
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${namespace} } }
`;
}

/** kube-apiserver's text for a policy's denial of an update (the error the scheduler meets). */
const policyRefusal = (shoot: string, policy: string, message: string) =>
  `shoots.core.gardener.cloud "${shoot}" is forbidden: ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: ${message}`;

describe('the maintained spec is refused by the API server: dry run failed, then recovered', () => {
  const namespace = uniqueName('fail-dry');
  const name = 'frozen';
  const key = `${namespace}/${name}`;
  const policy = `${namespace}-freeze`;
  const FROZEN = 'e2e: Kubernetes version changes are frozen';
  let scheduler: SchedulerChild;
  let before: ShootJson;
  let failedAt = '';

  beforeAll(async () => {
    await must(kubectl(['create', 'namespace', namespace]));
    await must(applyYaml(shootYaml({ name, namespace, cloudProfile: ctx().cloudProfileName, window: windowElsewhere() })));
    await must(applyYaml(freezePolicy(policy, namespace, FROZEN)));
    // The policy is in effect for the scheduler's identity before anything is maintained.
    await waitFor(async () => (await schedulerDryRunVersion(name, namespace, '1.32.4')).stderr.includes(FROZEN), 30_000, 250);
    scheduler = schedulerAsDeployed('fail-dry-1');
    await waitFor(() => scheduler.lines().some((l) => l.msg === 'queued' && l.shoot === key), 30_000);
    before = await shootOf(name, namespace);
  });

  afterAll(async () => {
    await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy, '--ignore-not-found']);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('records Failed with the API server’s refusal, drops `maintain`, changes nothing else, records no Event', async () => {
    await must(kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}=maintain`]));
    const failed = await finishedRun(scheduler, name, namespace, 0);

    // reconcile, dry run failed → description `Maintenance failed`, failureReason
    // `Updates to the Shoot failed to be applied: <apiserver error>`.
    const refusal = policyRefusal(name, policy, FROZEN);
    expect(failed.status?.lastMaintenance).toEqual({
      description: 'Maintenance failed',
      state: 'Failed',
      failureReason: `Updates to the Shoot failed to be applied: ${refusal}`,
      triggeredTime: expect.stringMatching(ISO_SECONDS),
    });
    failedAt = failed.status?.lastMaintenance?.triggeredTime ?? '';
    // `maintain` gone (the whole annotation, as Gardener), nothing of the run written.
    expect(failed.metadata.annotations?.[OPERATION]).toBeUndefined();
    expect(failed.metadata.annotations?.[TASKS]).toBeUndefined();
    expect(failed.metadata.annotations?.[RECORD]).toBeUndefined();
    expect(failed.spec).toEqual(before.spec);
    expect(failed.metadata.generation).toBe(before.metadata.generation);
    // One run, reported as a failed dry run; no retry: the shoot waits for its next window.
    expect(runsOf(scheduler, key).map((l) => [l.result, l.error])).toEqual([['dry-run-failed', `Updates to the Shoot failed to be applied: ${refusal}`]]);
    await waitFor(() => settledUntilNextWindow(scheduler, [key]), 30_000);
    // Gardener records Events only after a successful spec update; the run has ended (its log line is written).
    expect(await eventLines(namespace, name)).toEqual([]);
  });

  it('once the policy is gone, `maintain` maintains: Succeeded, the reason cleared, generation +1, Normal Events', async () => {
    await must(kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy]));
    await waitFor(async () => (await schedulerDryRunVersion(name, namespace, '1.32.4')).code === 0, 30_000, 250);
    const runsBefore = runsOf(scheduler, key).length;
    await must(kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}=maintain`]));
    const done = await finishedRun(scheduler, name, namespace, runsBefore);

    const k8s = updatedK8s('1.32.0', '1.32.4');
    const image = updatedImage('1592.3.0', '1592.4.0');
    // Exactly these keys: the earlier failureReason is gone (Gardener clears it).
    expect(done.status?.lastMaintenance).toEqual({
      description: `All maintenance operations successful. Control Plane: ${k8s}. Reason: ${AUTO_K8S}, Worker pool "worker": ${image}. Reason: ${AUTO_IMAGE}`,
      state: 'Succeeded',
      triggeredTime: expect.stringMatching(ISO_SECONDS),
    });
    expect(Date.parse(done.status?.lastMaintenance?.triggeredTime ?? '')).toBeGreaterThanOrEqual(Date.parse(failedAt));
    expect(done.spec.kubernetes.version).toBe('1.32.4');
    expect(done.spec.provider.workers[0]?.machine.image.version).toBe('1592.4.0');
    expect(done.metadata.generation).toBe(before.metadata.generation + 1);
    expect(done.metadata.annotations?.[TASKS]).toBe(ALL_TASKS);
    expect(done.metadata.annotations?.[RECORD]).toBeUndefined();
    expect(runsOf(scheduler, key).slice(runsBefore).map((l) => l.result)).toEqual(['maintained']);
    expect(await eventLines(namespace, name)).toEqual([
      `Normal\tKubernetesVersionMaintenance\tControl Plane: ${k8s}. Reason: ${AUTO_K8S}.`,
      `Normal\tMachineImageVersionMaintenance\tWorker pool "worker": ${image}. Reason: ${AUTO_IMAGE}.`,
    ]);
  });
});

describe('an expired Kubernetes version without a successor in its CloudProfile: item failed, then recovered', () => {
  const namespace = uniqueName('fail-exp');
  const name = 'stranded';
  const key = `${namespace}/${name}`;
  const profileName = uniqueName('no-successor');
  let scheduler: SchedulerChild | undefined;
  let before: ShootJson;

  type Profile = { metadata: { name: string }; spec: { kubernetes: { versions: Record<string, unknown>[] } } };
  /** examples/cloudprofile.yaml renamed, with the given Kubernetes versions. */
  const profile = (versions: Record<string, unknown>[]): string => {
    const p = parse(readFileSync(join(repoRoot(), 'examples', 'cloudprofile.yaml'), 'utf8')) as Profile;
    p.metadata.name = profileName;
    p.spec.kubernetes.versions = versions;
    return stringify(p);
  };
  const LATEST = { version: '1.33.1', classification: 'supported' };
  const V1_32_4 = { version: '1.32.4', classification: 'supported' };
  const V1_31_6 = { version: '1.31.6', classification: 'supported' };

  // The no-successor texts: a forced update looks in the next minor only (1.32: none).
  const noSuccessor =
    'could not determine higher suitable version than "1.31.6": cannot perform forceful update of expired version "1.31.6". ' +
    'No suitable version found in CloudProfile - this is most likely a misconfiguration of the CloudProfile';

  /** A scheduler that has listed the current CloudProfiles (its queue starts only after that) and the shoot. */
  async function freshScheduler(identity: string): Promise<SchedulerChild> {
    if (scheduler) await stopPid(scheduler.process.pid);
    const s = schedulerAsDeployed(identity);
    scheduler = s;
    await waitFor(() => s.lines().some((l) => l.msg === 'became leader'), 30_000);
    await waitFor(() => s.lines().some((l) => l.msg === 'queued' && l.shoot === key), 30_000);
    return s;
  }

  beforeAll(async () => {
    await must(kubectl(['create', 'namespace', namespace]));
    // No 1.32 at all; 1.31.6 still supported, so the shoot can be created on it.
    await must(applyYaml(profile([LATEST, V1_31_6])));
    const doc = parse(shootYaml({ name, namespace, cloudProfile: profileName, window: windowElsewhere() })) as {
      spec: { kubernetes: { version: string }; maintenance: { autoUpdate: Record<string, boolean> }; provider: { workers: { machine: { image: { version: string } } }[] } };
    };
    doc.spec.kubernetes.version = '1.31.6';
    // The image is the latest and not auto-updated: the control plane is the run's only item.
    doc.spec.maintenance.autoUpdate.machineImageVersion = false;
    for (const w of doc.spec.provider.workers) w.machine.image.version = '1592.4.0';
    // Until the webhook has seen the new CloudProfile, the create is refused.
    await waitFor(async () => (await applyYaml(stringify(doc))).code === 0, 30_000, 250);
    // Then 1.31.6 expires (an operator's change), before the scheduler starts.
    await must(applyYaml(profile([LATEST, { ...V1_31_6, expirationDate: '2024-01-01T00:00:00Z' }])));
    before = await shootOf(name, namespace);
  });

  afterAll(async () => {
    if (scheduler) await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await kubectl(['delete', 'cloudprofile', profileName, '--ignore-not-found']);
  });

  it('records Failed with Gardener’s texts and a Warning Event; spec and generation stay', async () => {
    const s = await freshScheduler('fail-exp-1');
    await must(kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}=maintain`]));
    const failed = await finishedRun(s, name, namespace, 0);

    // buildMaintenanceMessages: one item, failed → `(0/1) …`, the reason for the update in the
    // description and the error in failureReason.
    expect(failed.status?.lastMaintenance).toEqual({
      description: `(0/1) maintenance operations successful. Control Plane: Kubernetes version update failed. Reason for update: ${EXPIRED_K8S}`,
      state: 'Failed',
      failureReason: `Control Plane: Kubernetes maintenance failure due to: ${noSuccessor}`,
      triggeredTime: expect.stringMatching(ISO_SECONDS),
    });
    // The update itself landed (a failed item still requires the patch): `maintain` dropped, the
    // tasks added, the spec as it was, so the generation did not move.
    expect(failed.metadata.annotations?.[OPERATION]).toBeUndefined();
    expect(failed.metadata.annotations?.[TASKS]).toBe(ALL_TASKS);
    expect(failed.metadata.annotations?.[RECORD]).toBeUndefined();
    expect(failed.spec).toEqual(before.spec);
    expect(failed.metadata.generation).toBe(before.metadata.generation);
    // The run line says the update landed and what it recorded, at warn level.
    expect(runsOf(s, key).map((l) => [l.result, l.lastMaintenance, l.level])).toEqual([['maintained', 'Failed', 40]]);
    // The failed control-plane item as a Warning, reason KubernetesVersionMaintenance.
    expect(await eventLines(namespace, name)).toEqual([
      `Warning\tKubernetesVersionMaintenance\tControl Plane: Kubernetes version maintenance failed. Reason for update: ${EXPIRED_K8S}. Error: ${noSuccessor}`,
    ]);
    // No retry of its own: the shoot waits for its next window (or the next `maintain`).
    await waitFor(() => settledUntilNextWindow(s, [key]), 30_000);
  });

  it('once the CloudProfile has 1.32.4, `maintain` forces the update: Succeeded, generation +1, a Normal Event', async () => {
    await must(applyYaml(profile([LATEST, V1_32_4, { ...V1_31_6, expirationDate: '2024-01-01T00:00:00Z' }])));
    // The webhook accepts 1.32.4 for this shoot now (dry run, as admin).
    await waitFor(async () => {
      const res = await kubectl(['patch', 'shoot', name, '-n', namespace, '--type=merge', '--dry-run=server', '-p', '{"spec":{"kubernetes":{"version":"1.32.4"}}}']);
      return res.code === 0;
    }, 30_000, 250);
    // A scheduler started now has listed the fixed CloudProfile before its first run.
    const s = await freshScheduler('fail-exp-2');
    await must(kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}=maintain`]));
    const done = await finishedRun(s, name, namespace, 0);

    const k8s = updatedK8s('1.31.6', '1.32.4');
    expect(done.status?.lastMaintenance).toEqual({
      description: `All maintenance operations successful. Control Plane: ${k8s}. Reason: ${EXPIRED_K8S}`,
      state: 'Succeeded',
      triggeredTime: expect.stringMatching(ISO_SECONDS),
    });
    expect(done.spec.kubernetes.version).toBe('1.32.4');
    expect(done.metadata.generation).toBe(before.metadata.generation + 1);
    expect(runsOf(s, key).map((l) => [l.result, l.lastMaintenance, l.level])).toEqual([['maintained', 'Succeeded', 30]]);
    // The earlier Warning stays; the forced update adds a Normal one.
    expect(await eventLines(namespace, name)).toEqual([
      `Normal\tKubernetesVersionMaintenance\tControl Plane: ${k8s}. Reason: ${EXPIRED_K8S}.`,
      `Warning\tKubernetesVersionMaintenance\tControl Plane: Kubernetes version maintenance failed. Reason for update: ${EXPIRED_K8S}. Error: ${noSuccessor}`,
    ]);
  });
});

describe('the real update is refused after its dry run passed: MaintenanceFailed, retried, then recovered', () => {
  const namespace = uniqueName('fail-upd');
  const name = 'refused';
  const key = `${namespace}/${name}`;
  const policy = `${namespace}-refuse`;
  const REFUSED = 'e2e: the real update is refused';
  let scheduler: SchedulerChild;
  let before: ShootJson;

  beforeAll(async () => {
    await must(kubectl(['create', 'namespace', namespace]));
    await must(applyYaml(shootYaml({ name, namespace, cloudProfile: ctx().cloudProfileName, window: windowElsewhere() })));
    // A real update cannot be probed without changing the shoot, so: the policy refuses dry runs
    // too until that is seen in effect, then its new version lets dry runs pass. Once a dry run
    // passes again, kube-apiserver has that new version (the binding never changed).
    await must(applyYaml(freezePolicy(policy, namespace, REFUSED)));
    await waitFor(async () => (await schedulerDryRunVersion(name, namespace, '1.32.4')).stderr.includes(REFUSED), 30_000, 250);
    await must(applyYaml(freezePolicy(policy, namespace, REFUSED, true)));
    await waitFor(async () => (await schedulerDryRunVersion(name, namespace, '1.32.4')).code === 0, 30_000, 250);
    scheduler = schedulerAsDeployed('fail-upd-1');
    await waitFor(() => scheduler.lines().some((l) => l.msg === 'queued' && l.shoot === key), 30_000);
    before = await shootOf(name, namespace);
  });

  afterAll(async () => {
    await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy, '--ignore-not-found']);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('records a Warning MaintenanceFailed Event with the API server’s error, keeps `maintain`, retries', async () => {
    await must(kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}=maintain`]));
    const refusal = policyRefusal(name, policy, REFUSED);
    // The failed run is logged, then queued for its retry.
    await waitFor(() => {
      const lines = scheduler.lines().filter((l) => l.shoot === key);
      const run = lines.findIndex((l) => l.msg === 'maintenance run');
      return run >= 0 && lines.slice(run).some((l) => l.msg === 'queued' && l.reason === 'retry-error');
    }, 60_000, 250);
    expect(runsOf(scheduler, key)[0]).toMatchObject({ result: 'error', error: refusal });
    // A failed spec update → Warning `MaintenanceFailed` with the error text (one per attempt:
    // retries that failed meanwhile add the same line).
    expect([...new Set(await eventLines(namespace, name))]).toEqual([`Warning\tMaintenanceFailed\t${refusal}`]);
    const failed = await shootOf(name, namespace);
    // Nothing landed: `maintain` is dropped only by the update itself, so it stays and asks on.
    expect(failed.metadata.annotations?.[OPERATION]).toBe('maintain');
    expect(failed.metadata.annotations?.[TASKS]).toBeUndefined();
    expect(failed.spec).toEqual(before.spec);
    expect(failed.metadata.generation).toBe(before.metadata.generation);
    // The run's record rides in the refused update, so no lastMaintenance is written (Gardener
    // would show the Processing state it patched before its update).
    expect(failed.status?.lastMaintenance).toBeUndefined();
  });

  it('once the policy is gone, a retry maintains: Succeeded, `maintain` gone, generation +1, Normal Events', { timeout: 180_000 }, async () => {
    await must(kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy]));
    // No new `maintain`: the pending retry (backoff from 5 s, doubling) lands on its own.
    const done = await waitFor(async () => {
      if (!runsOf(scheduler, key).some((l) => l.result === 'maintained')) return undefined;
      const s = await shootOf(name, namespace);
      return s.status?.lastMaintenance ? s : undefined;
    }, 150_000, 500);

    const k8s = updatedK8s('1.32.0', '1.32.4');
    const image = updatedImage('1592.3.0', '1592.4.0');
    expect(done.status?.lastMaintenance).toEqual({
      description: `All maintenance operations successful. Control Plane: ${k8s}. Reason: ${AUTO_K8S}, Worker pool "worker": ${image}. Reason: ${AUTO_IMAGE}`,
      state: 'Succeeded',
      triggeredTime: expect.stringMatching(ISO_SECONDS),
    });
    expect(done.metadata.annotations?.[OPERATION]).toBeUndefined();
    expect(done.metadata.generation).toBe(before.metadata.generation + 1);
    const results = runsOf(scheduler, key).map((l) => l.result);
    expect(results.at(-1)).toBe('maintained');
    expect(new Set(results.slice(0, -1))).toEqual(new Set(['error']));
    expect([...new Set(await eventLines(namespace, name))]).toEqual([
      `Normal\tKubernetesVersionMaintenance\tControl Plane: ${k8s}. Reason: ${AUTO_K8S}.`,
      `Normal\tMachineImageVersionMaintenance\tWorker pool "worker": ${image}. Reason: ${AUTO_IMAGE}.`,
      `Warning\tMaintenanceFailed\t${policyRefusal(name, policy, REFUSED)}`,
    ]);
  });
});
