// Maintenance freezes through kubectl on the real test cluster (docs/design.md, "Maintenance
// freezes"): the webhook refuses an invalid MaintenanceExclusion with its field error, `kubectl
// get` shows the columns, and a NoUpgrades freeze applied while the scheduler runs holds back a
// due shoot's forced update through its window (a MaintenanceDeferred Event names the freeze);
// once the freeze is gone the update lands in the shoot's next occurrence. The next occurrence of
// a daily window is a day away, so the test moves the window (which re-plans the shoot) to get one
// now; the unit tests check the day-later occurrence on a fake clock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { applyYaml, getJson, kubectl, uniqueName, waitFor } from './harness.js';
import { must, schedulerAsDeployed, windowElsewhere, windowEndingIn, type SchedulerChild, type ShootJson } from './scheduler-support.js';

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function exclusionYaml(o: { name: string; namespace: string; start: string; end: string; scope: string; reason?: string }): string {
  return `apiVersion: maintenance.shoot-maintenance.io/v1alpha1
kind: MaintenanceExclusion
metadata:
  name: ${o.name}
  namespace: ${o.namespace}
spec:
  start: "${o.start}"
  end: "${o.end}"
  scope: ${o.scope}
  reason: ${o.reason ?? 'release week'}
  shootSelector:
    matchLabels:
      freeze: "yes"
`;
}

/** A shoot on `profile` with 1.32.0, no automatic updates: only an expired version makes the run change it. */
function shootYaml(o: { name: string; namespace: string; profile: string; window: { begin: string; end: string } }): string {
  return `apiVersion: core.gardener.cloud/v1beta1
kind: Shoot
metadata:
  name: ${o.name}
  namespace: ${o.namespace}
  labels:
    freeze: "yes"
spec:
  cloudProfileName: ${o.profile}
  region: local
  kubernetes:
    version: 1.32.0
  maintenance:
    autoUpdate:
      kubernetesVersion: false
      machineImageVersion: false
    timeWindow:
      begin: "${o.window.begin}"
      end: "${o.window.end}"
  provider:
    type: local
    workers:
      - name: worker
        machine:
          type: m5.large
          image:
            name: gardenlinux
            version: 1592.4.0
        minimum: 1
        maximum: 2
`;
}

describe('maintenance freezes', () => {
  const namespace = uniqueName('freeze');
  const profile = uniqueName('freeze');
  const shoot = 'frozen';
  const freeze = 'release-week';
  const key = `${namespace}/${shoot}`;
  // 1.32.0 expires shortly after the shoot is created (an expired version cannot be created).
  const expiresAt = Date.now() + 20_000;
  const freezeStart = iso(Date.now() - 3600_000);
  const freezeEnd = iso(Date.now() + 3600_000);
  let scheduler: SchedulerChild;

  const shootOf = () => getJson<ShootJson & { metadata: { generation: number } }>('shoot', shoot, namespace);
  const runs = () => scheduler.lines().filter((l) => l.msg === 'maintenance run' && l.shoot === key);

  beforeAll(async () => {
    const p = parse(readFileSync(join(repoRoot(), 'examples', 'cloudprofile.yaml'), 'utf8')) as {
      metadata: { name: string };
      spec: { kubernetes: { versions: { version: string; expirationDate?: string }[] } };
    };
    p.metadata.name = profile;
    for (const v of p.spec.kubernetes.versions) if (v.version === '1.32.0') v.expirationDate = new Date(expiresAt).toISOString();
    await must(applyYaml(stringify(p)));
    await must(kubectl(['create', 'namespace', namespace]));
    await must(applyYaml(shootYaml({ name: shoot, namespace, profile, window: windowElsewhere() })));
    scheduler = schedulerAsDeployed('freeze-1');
    await waitFor(() => scheduler.lines().some((l) => l.msg === 'queued' && l.shoot === key), 60_000);
  });

  afterAll(async () => {
    if (scheduler) await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await kubectl(['delete', 'cloudprofile', profile, '--wait=false']);
  });

  it('kubectl: an invalid exclusion is refused with the field error', async () => {
    const res = await applyYaml(exclusionYaml({ name: 'bad', namespace, start: 'x', end: freezeEnd, scope: 'NoUpgrades' }));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      'admission webhook "validate.maintenanceexclusions.maintenance.gardener.cloud" denied the request: spec.start: Invalid value: "x": must be an RFC 3339 time such as "2026-12-20T00:00:00Z"',
    );
    const tooLong = await applyYaml(exclusionYaml({ name: 'bad', namespace, start: '2026-12-01T00:00:00Z', end: '2027-01-15T00:00:00Z', scope: 'NoUpgrades' }));
    expect(tooLong.stderr).toContain(
      'denied the request: spec.end: Invalid value: "2027-01-15T00:00:00Z": must be at most 30 days after spec.start for scope "NoUpgrades"',
    );
    const cluster = await applyYaml(`apiVersion: maintenance.shoot-maintenance.io/v1alpha1
kind: ClusterMaintenanceExclusion
metadata:
  name: ${uniqueName('bad')}
spec:
  start: "2026-12-01T00:00:00Z"
  end: "2026-12-02T00:00:00Z"
  scope: NoPatches
  namespaceSelector:
    matchExpressions:
      - key: team
        operator: In
`);
    expect(cluster.stderr).toContain(
      'admission webhook "validate.clustermaintenanceexclusions.maintenance.gardener.cloud" denied the request: ' +
        '[spec.scope: Unsupported value: "NoPatches": supported values: "NoMinorUpgrades", "NoMinorOrImageUpgrades", "NoUpgrades", ' +
        "spec.namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn']",
    );
  });

  it('a NoUpgrades freeze applied while the scheduler runs holds back the due shoot through its window', async () => {
    await must(applyYaml(exclusionYaml({ name: freeze, namespace, start: freezeStart, end: freezeEnd, scope: 'NoUpgrades' })));
    const table = await must(kubectl(['get', 'maintenanceexclusions', '-n', namespace]));
    const [header, row] = table.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'SCOPE', 'START', 'END', 'REASON', 'AGE']);
    expect(row?.split(/\s{2,}/).slice(0, 5)).toEqual([freeze, 'NoUpgrades', freezeStart, freezeEnd, 'release week']);

    // The version has expired: an unrestricted run would force 1.32.0 → 1.32.4.
    await waitFor(() => Date.now() > expiresAt, 30_000);
    const window = windowEndingIn(40);
    const windowEnd = Date.now() + 40_000;
    await must(applyYaml(shootYaml({ name: shoot, namespace, profile, window })));
    // The window change is the user's spec change (generation 2); the scheduler must add none.
    const { generation } = (await shootOf()).metadata;
    await waitFor(() => runs().some((l) => l.result === 'excluded'), 90_000, 500);
    const events = await waitFor(async () => {
      const out = await must(kubectl(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${shoot},reason=MaintenanceDeferred`, '-o', 'json']));
      const items = (JSON.parse(out) as { items: { type: string; message: string }[] }).items;
      return items.length > 0 ? items : undefined;
    }, 20_000);
    expect(events.map((e) => [e.type, e.message])).toEqual([
      [
        'Normal',
        `Deferred by MaintenanceExclusion "${namespace}/${freeze}" (NoUpgrades) until ${freezeEnd}: control plane: Kubernetes version "1.32.0" to "1.32.4"`,
      ],
    ]);
    // Requeued to the next occurrence, and the window passes with the shoot untouched.
    await waitFor(() => {
      const last = scheduler.lines().filter((l) => l.msg === 'queued' && l.shoot === key).at(-1);
      return last?.reason === 'next-window' && Date.parse(String(last.dueAt)) > windowEnd;
    }, 30_000);
    await waitFor(() => Date.now() > windowEnd, 60_000, 500);
    const s = await shootOf();
    expect(s.spec.kubernetes.version).toBe('1.32.0');
    expect(s.metadata.generation).toBe(generation);
    expect(s.status?.lastMaintenance).toBeUndefined();
    expect(runs().map((l) => l.result)).toEqual(['excluded']);
  });

  it('once the freeze no longer covers, the forced update lands in the next occurrence', async () => {
    // The freeze ends in the past now (changed, not deleted): it no longer covers the shoot.
    await must(applyYaml(exclusionYaml({ name: freeze, namespace, start: freezeStart, end: iso(Date.now() - 1000), scope: 'NoUpgrades' })));
    await must(applyYaml(shootYaml({ name: shoot, namespace, profile, window: windowEndingIn(40) })));
    const s = await waitFor(async () => {
      const c = await shootOf();
      return c.status?.lastMaintenance ? c : undefined;
    }, 90_000, 500);
    expect(s.spec.kubernetes.version).toBe('1.32.4');
    expect(s.status?.lastMaintenance).toMatchObject({
      state: 'Succeeded',
      description:
        'All maintenance operations successful. Control Plane: Updated Kubernetes version from "1.32.0" to "1.32.4". Reason: Kubernetes version expired - force update required',
    });
    expect(runs().map((l) => l.result)).toEqual(['excluded', 'maintained']);
    await must(kubectl(['delete', 'maintenanceexclusion', freeze, '-n', namespace]));
  });
});
