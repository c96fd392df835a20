// The webhooks' matchConditions (src/admission/match-conditions.ts, registered by the suite as
// manifests/webhook ships them) through a real kube-apiserver: a Shoot write that changes nothing
// the handlers read never leaves kube-apiserver, every write that does still reaches both Shoot
// webhooks. Counted by kube-apiserver itself (`apiserver_admission_webhook_request_total`, one
// sample per call it made, and `apiserver_admission_match_condition_exclusions_total`, one per
// call a condition skipped); the e2e files run one at a time, so nothing else writes meanwhile.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { MUTATE_SHOOTS, VALIDATE_SHOOTS } from '../../tools/test-cluster/webhook-registration.js';
import { applyYaml, getJson, kubectl, uniqueName, type KubectlResult } from './harness.js';

interface Counts {
  calls: Record<string, number>;
  excluded: Record<string, number>;
}

const HOOKS = [MUTATE_SHOOTS, VALIDATE_SHOOTS];

/** Sums of kube-apiserver's webhook call and exclusion counters per Shoot webhook. */
async function counts(): Promise<Counts> {
  const res = await kubectl(['get', '--raw', '/metrics']);
  if (res.code !== 0) throw new Error(`kube-apiserver /metrics: ${res.stderr}`);
  const out: Counts = { calls: {}, excluded: {} };
  for (const hook of HOOKS) {
    out.calls[hook] = 0;
    out.excluded[hook] = 0;
  }
  for (const line of res.stdout.split('\n')) {
    const metric = line.startsWith('apiserver_admission_webhook_request_total{')
      ? 'calls'
      : line.startsWith('apiserver_admission_match_condition_exclusions_total{')
        ? 'excluded'
        : undefined;
    if (!metric) continue;
    const hook = HOOKS.find((h) => line.includes(`name="${h}"`));
    if (hook) out[metric][hook]! += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** What one write cost: kube-apiserver's calls to each Shoot webhook, and the calls it skipped. */
async function costOf(write: () => Promise<KubectlResult>): Promise<{ res: KubectlResult; calls: number[]; excluded: number[] }> {
  const before = await counts();
  const res = await write();
  const after = await counts();
  return {
    res,
    calls: HOOKS.map((h) => after.calls[h]! - before.calls[h]!),
    excluded: HOOKS.map((h) => after.excluded[h]! - before.excluded[h]!),
  };
}

function ok(res: KubectlResult): void {
  expect(res.code, res.stderr).toBe(0);
}

let namespace: string;
const name = 'conditions';
let shootYaml: string;

beforeAll(async () => {
  namespace = uniqueName('match-conditions');
  ok(await kubectl(['create', 'namespace', namespace]));
  const doc = parse(readFileSync(join(repoRoot(), 'examples', 'shoots', 'no-window.yaml'), 'utf8')) as { metadata: Record<string, unknown> };
  doc.metadata = { name, namespace };
  shootYaml = stringify(doc);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('matchConditions of the Shoot webhooks', () => {
  it('a create reaches both webhooks (and is defaulted)', async () => {
    const { res, calls } = await costOf(() => applyYaml(shootYaml));
    ok(res);
    expect(calls).toEqual([1, 1]);
    const stored = await getJson<{ spec: { maintenance?: { timeWindow?: unknown } } }>('shoot', name, namespace);
    expect(stored.spec.maintenance?.timeWindow).toBeDefined();
  });

  it.each([
    ['a label (GitOps tooling, owners)', ['label', 'shoot', name, 'team=platform']],
    ['another label change', ['label', 'shoot', name, '--overwrite', 'team=storage']],
    ['an annotation no handler reads', ['annotate', 'shoot', name, 'example.com/note=hello']],
    ["the scheduler's run record set", ['annotate', 'shoot', name, 'maintenance.gardener.cloud/last-maintenance={"run":1}']],
    ["the scheduler's run record removed", ['annotate', 'shoot', name, 'maintenance.gardener.cloud/last-maintenance-']],
    ['the forced-update notices', ['annotate', 'shoot', name, 'maintenance.gardener.cloud/forced-update-notices={}']],
  ])('%s: stored without calling either webhook, both calls skipped', async (_what, args) => {
    const { res, calls, excluded } = await costOf(() => kubectl([...args, '-n', namespace]));
    ok(res);
    expect(calls).toEqual([0, 0]);
    expect(excluded).toEqual([1, 1]);
  });

  it('kubectl apply of the same spec with a new label: no call (its last-applied annotation is not read either)', async () => {
    const doc = parse(shootYaml) as { metadata: { labels?: Record<string, string> } };
    doc.metadata.labels = { team: 'storage', tier: 'gold' };
    const { res, calls } = await costOf(() => applyYaml(stringify(doc)));
    ok(res);
    expect(calls).toEqual([0, 0]);
    const stored = await getJson<{ metadata: { labels?: Record<string, string> } }>('shoot', name, namespace);
    expect(stored.metadata.labels).toMatchObject({ team: 'storage', tier: 'gold' });
  });

  it('a spec change reaches both webhooks', async () => {
    const patch = JSON.stringify([{ op: 'replace', path: '/spec/provider/workers/0/maximum', value: 3 }]);
    const { res, calls } = await costOf(() => kubectl(['patch', 'shoot', name, '-n', namespace, '--type=json', '-p', patch]));
    ok(res);
    expect(calls).toEqual([1, 1]);
  });

  // Dry runs (sideEffects: None, so the webhooks are called), allowed or denied alike; a denial by
  // the mutating webhook ends the request before the validating one.
  it.each([
    ['gardener.cloud/operation', 'reconcile', [1, 1]],
    ['maintenance.gardener.cloud/operation', 'rotate-ssh-keypair', [1, 1]],
    ['maintenance.gardener.cloud/pending-spec', '{}', [1, 0]],
    ['maintenance.gardener.cloud/time-zone', 'Europe/London', [1, 1]],
    ['maintenance.gardener.cloud/days', 'Mon,Thu', [1, 1]],
  ])('a change of %s, which the handlers read, reaches the webhooks', async (key, value, expected) => {
    const { res, calls } = await costOf(() => kubectl(['annotate', 'shoot', name, '-n', namespace, '--dry-run=server', '-o', 'json', `${key}=${value}`]));
    expect(calls, `${res.stderr}${res.stdout}`).toEqual(expected);
    if (expected[1] === 0) expect(res.stderr).toContain('admission webhook "mutate.shoots.maintenance.gardener.cloud" denied the request');
  });

  it('its removal does too, and what the webhook says is still said: a bad time zone is refused', async () => {
    const denied = await costOf(() => kubectl(['annotate', 'shoot', name, '-n', namespace, 'maintenance.gardener.cloud/time-zone=Mars/Olympus']));
    expect(denied.res.code).not.toBe(0);
    expect(denied.res.stderr).toContain('admission webhook "validate.shoots.maintenance.gardener.cloud" denied the request');
    expect(denied.res.stderr).toContain('Mars/Olympus');
    expect(denied.calls).toEqual([1, 1]);
    ok(await kubectl(['annotate', 'shoot', name, '-n', namespace, 'maintenance.gardener.cloud/time-zone=Europe/London']));
    const removed = await costOf(() => kubectl(['annotate', 'shoot', name, '-n', namespace, 'maintenance.gardener.cloud/time-zone-']));
    ok(removed.res);
    expect(removed.calls).toEqual([1, 1]);
  });
});
