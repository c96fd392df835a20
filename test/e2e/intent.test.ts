// Nothing a user wrote is lost. Seeded random sequences of user updates (worker minimum and
// maximum), confinement switched on and off, `reconcile` annotations, hibernation toggles and
// maintenance runs (`maintain` with a running scheduler), against the real cluster with the
// webhook registered. After every step: the rolled-out spec, with the held spec on top, equals
// what the user last wrote; and metadata.generation rose (by one) exactly when .spec changed.
// The shoots use the latest versions so that maintenance itself has nothing to update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { must, schedulerAsDeployed, seeded, type SchedulerChild } from './scheduler-support.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor } from './harness.js';

const SEED = Number(process.env.INTENT_SEED ?? 5150);
const SEQUENCES = 5;
const STEPS = 8;
const PENDING = 'maintenance.gardener.cloud/pending-spec';
const OPERATION = 'gardener.cloud/operation';

interface Spec {
  hibernation?: { enabled?: boolean };
  maintenance?: { confineSpecUpdateRollout?: boolean };
  provider: { workers: { minimum: number; maximum: number }[] };
}
interface Live {
  metadata: { generation: number; annotations?: Record<string, string> };
  spec: Spec;
  status?: { lastMaintenance?: { triggeredTime?: string; state?: string; description?: string } };
}
interface Intent {
  minimum: number;
  maximum: number;
  confine: boolean;
  hibernated: boolean;
}

const namespace = uniqueName('intent');
let scheduler: SchedulerChild | undefined;

beforeAll(async () => {
  await must(kubectl(['create', 'namespace', namespace]));
  scheduler = schedulerAsDeployed('intent-1');
  await waitFor(() => scheduler?.lines().some((l) => l.msg === 'became leader'), 30_000);
});

afterAll(async () => {
  if (scheduler) await stopPid(scheduler.process.pid);
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

function shootYaml(name: string, intent: Intent): string {
  const begin = new Date(Date.now() + 6 * 3600 * 1000).getUTCHours();
  const hh = (h: number) => String(h % 24).padStart(2, '0');
  return `apiVersion: core.gardener.cloud/v1beta1
kind: Shoot
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  cloudProfileName: ${ctx().cloudProfileName}
  region: local
  kubernetes:
    version: 1.33.1
  hibernation:
    enabled: ${intent.hibernated}
  maintenance:
    confineSpecUpdateRollout: ${intent.confine}
    autoUpdate:
      kubernetesVersion: false
      machineImageVersion: true
    timeWindow:
      begin: "${hh(begin)}0000+0000"
      end: "${hh(begin + 1)}0000+0000"
  provider:
    type: local
    workers:
      - name: worker
        machine:
          type: m5.large
          image:
            name: gardenlinux
            version: 1592.4.0
        minimum: ${intent.minimum}
        maximum: ${intent.maximum}
`;
}

/** What the user will get: the held spec when there is one, else the live spec. */
function effective(live: Live): Intent {
  const held = live.metadata.annotations?.[PENDING];
  const spec = held ? (JSON.parse(held) as Spec) : live.spec;
  const worker = spec.provider.workers[0];
  return {
    minimum: worker?.minimum ?? -1,
    maximum: worker?.maximum ?? -1,
    confine: spec.maintenance?.confineSpecUpdateRollout === true,
    hibernated: spec.hibernation?.enabled === true,
  };
}

type Step = 'maximum' | 'minimum' | 'confine' | 'reconcile' | 'hibernate' | 'maintain';
const STEP_KINDS: Step[] = ['maximum', 'minimum', 'maximum', 'confine', 'reconcile', 'hibernate', 'maintain', 'maintain'];

describe('randomised user sequences', () => {
  it(`keep the user's last intent (${SEQUENCES} sequences × ${STEPS} steps, seed ${SEED})`, { timeout: 300_000 }, async () => {
    const random = seeded(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const transcript: string[] = [];
    let rollouts = 0;
    let held = 0;
    for (let seq = 0; seq < SEQUENCES; seq++) {
      const name = `intent-${seq}`;
      const intent: Intent = { minimum: 1, maximum: 3, confine: random() < 0.7, hibernated: false };
      await must(applyYaml(shootYaml(name, intent)));
      const get = () => getJson<Live>('shoot', name, namespace);
      let previous = await get();
      const steps: string[] = [];
      for (let step = 0; step < STEPS; step++) {
        const kind = pick(STEP_KINDS);
        let did: string = kind;
        switch (kind) {
          case 'maximum': {
            intent.maximum = Math.max(intent.minimum, 2 + Math.floor(random() * 8));
            await must(kubectl(['patch', 'shoot', name, '-n', namespace, '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/provider/workers/0/maximum', value: intent.maximum }])]));
            did = `maximum=${intent.maximum}`;
            break;
          }
          case 'minimum': {
            intent.minimum = 1 + Math.floor(random() * intent.maximum);
            await must(kubectl(['patch', 'shoot', name, '-n', namespace, '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/provider/workers/0/minimum', value: intent.minimum }])]));
            did = `minimum=${intent.minimum}`;
            break;
          }
          case 'confine': {
            intent.confine = !intent.confine;
            await must(kubectl(['patch', 'shoot', name, '-n', namespace, '--type', 'merge', '-p', JSON.stringify({ spec: { maintenance: { confineSpecUpdateRollout: intent.confine } } })]));
            did = `confine=${intent.confine}`;
            break;
          }
          case 'hibernate': {
            intent.hibernated = !intent.hibernated;
            await must(kubectl(['patch', 'shoot', name, '-n', namespace, '--type', 'merge', '-p', JSON.stringify({ spec: { hibernation: { enabled: intent.hibernated } } })]));
            did = `hibernated=${intent.hibernated}`;
            break;
          }
          case 'reconcile': {
            // Newly added: remove a stale one first (the reconciler would have).
            await kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}-`]);
            await must(kubectl(['annotate', 'shoot', name, '-n', namespace, `${OPERATION}=reconcile`]));
            break;
          }
          case 'maintain': {
            // Done when the scheduler has logged this run (its status patch and Events are out).
            const runs = () => scheduler?.lines().filter((l) => l.msg === 'maintenance run' && l.shoot === `${namespace}/${name}` && l.result !== 'not-due').length ?? 0;
            const before = runs();
            await must(kubectl(['annotate', 'shoot', name, '-n', namespace, '--overwrite', `${OPERATION}=maintain`]));
            await waitFor(() => runs() > before, 30_000, 100);
            const done = await get();
            did = `maintain (${done.status?.lastMaintenance?.state})`;
            expect(done.metadata.annotations?.[OPERATION], `${name} step ${step}`).toBeUndefined();
            expect(done.status?.lastMaintenance?.state, `${name} step ${step}`).toBe('Succeeded');
            break;
          }
        }
        const live = await get();
        const specChanged = JSON.stringify(live.spec) !== JSON.stringify(previous.spec);
        if (specChanged) rollouts++;
        if (live.metadata.annotations?.[PENDING]) held++;
        steps.push(`${did}${specChanged ? ' → rollout' : live.metadata.annotations?.[PENDING] ? ' → held' : ''}`);
        const where = `${name} after [${steps.join('; ')}]`;
        expect(effective(live), where).toEqual(intent);
        expect(live.metadata.generation, where).toBe(previous.metadata.generation + (specChanged ? 1 : 0));
        previous = live;
      }
      transcript.push(`  ${name}: ${steps.join('; ')}`);
    }
    process.stdout.write(`[reliability] intent, seed ${SEED}: ${SEQUENCES * STEPS} steps, ${rollouts} rollouts, ${held} steps ending with a held spec\n${transcript.join('\n')}\n`);
    expect(rollouts).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(0);
  });
});
