// `shoot-maintenance schedule --kubeconfig` against the real kube-apiserver: Shoots created with
// kubectl (through the webhooks), listed with the CloudProfiles by the built CLI; -o json, -o ics
// (parsed back with ical.js) and the table list every shoot's next runs. Without the exclusion
// CRDs (a 404 for their lists) the command runs with no freezes; with them, a MaintenanceExclusion
// created with kubectl suppresses the runs it covers.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ScheduleRow } from '../../src/commands/schedule-rows.js';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { applyYaml, ctx, kubectl, uniqueName } from './harness.js';

type Doc = Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> };

const CLI = join(repoRoot(), 'dist', 'cli.js');
const FROM = '2026-12-21T00:00:00Z';
let namespace: string;
let exclusionCrds = false;
let installedStandIn = false;

const standIn = (kind: string, plural: string, scope: 'Namespaced' | 'Cluster') =>
  stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.maintenance.shoot-maintenance.io` },
    spec: {
      group: 'maintenance.shoot-maintenance.io',
      scope,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
const STAND_IN_CRDS = [standIn('MaintenanceExclusion', 'maintenanceexclusions', 'Namespaced'), standIn('ClusterMaintenanceExclusion', 'clustermaintenanceexclusions', 'Cluster')].join('---\n');

function shoot(name: string, change: (doc: Doc) => void = () => undefined): string {
  const doc = parse(readFileSync(join(repoRoot(), 'examples', 'shoots', 'outdated.yaml'), 'utf8')) as Doc;
  doc.metadata = { name, namespace };
  doc.spec.cloudProfileName = ctx().cloudProfileName;
  change(doc);
  return stringify(doc);
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const schedule = (...args: string[]) => cli(['schedule', '--kubeconfig', ctx().kubeconfigPath, '--from', FROM, '--days', '7', ...args]);

beforeAll(async () => {
  namespace = uniqueName('schedule');
  expect((await kubectl(['create', 'namespace', namespace])).code).toBe(0);
  const created = await applyYaml(
    [
      shoot('daily'),
      shoot('berlin', (doc) => {
        doc.metadata.annotations = { 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin', 'maintenance.gardener.cloud/days': 'Tue,Thu' };
        (doc.spec.maintenance as Doc).timeWindow = { begin: '020000+0100', end: '040000+0100' };
      }),
      shoot('morning', (doc) => {
        (doc.spec.maintenance as Doc).timeWindow = { begin: '060000+0000', end: '070000+0000' };
        (doc.spec.maintenance as Doc).autoUpdate = { kubernetesVersion: false, machineImageVersion: false };
      }),
    ].join('---\n'),
  );
  expect(created.code, created.stderr).toBe(0);
  exclusionCrds = (await kubectl(['get', 'crd', 'maintenanceexclusions.maintenance.shoot-maintenance.io'])).code === 0;
});

afterAll(async () => {
  await kubectl(['delete', 'clustermaintenanceexclusion', `${namespace}-minor`, '--ignore-not-found']);
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  if (installedStandIn) await kubectl(['delete', 'crd', 'maintenanceexclusions.maintenance.shoot-maintenance.io', 'clustermaintenanceexclusions.maintenance.shoot-maintenance.io', '--wait=false']);
});

describe('schedule --kubeconfig', () => {
  it('-o json: every occurrence of every shoot of the namespace, planned at its begin', async () => {
    const run = await schedule('-n', namespace, '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as ScheduleRow[];
    const of = (name: string) => rows.filter((r) => r.name === name);
    expect(rows.every((r) => r.namespace === namespace && r.error === null)).toBe(true);
    expect(of('daily').map((r) => r.start)).toEqual(['21', '22', '23', '24', '25', '26', '27'].map((d) => `2026-12-${d}T22:00:00Z`));
    expect(of('morning').map((r) => r.start)).toEqual(['21', '22', '23', '24', '25', '26', '27'].map((d) => `2026-12-${d}T06:00:00Z`));
    expect(of('berlin').map((r) => [r.start, r.localStart])).toEqual([
      ['2026-12-22T01:00:00Z', '2026-12-22T02:00:00+01:00'],
      ['2026-12-24T01:00:00Z', '2026-12-24T02:00:00+01:00'],
    ]);
    expect(of('daily')[0]?.kubernetes).toMatchObject({ from: '1.32.0', to: '1.32.4', forced: false });
    expect(of('morning')[0]).toMatchObject({ kubernetes: null, changes: [] });
    const starts = rows.map((r) => r.start ?? '');
    expect([...starts].sort()).toEqual(starts);
  });

  it('all namespaces without -n; the table lists every shoot', async () => {
    const run = await schedule();
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.includes(`${namespace}/`));
    expect(lines.filter((l) => l.includes(`${namespace}/daily `))).toHaveLength(7);
    expect(lines.filter((l) => l.includes(`${namespace}/morning `))).toHaveLength(7);
    expect(lines.filter((l) => l.includes(`${namespace}/berlin `))).toHaveLength(2);
    expect(lines.find((l) => l.includes(`${namespace}/berlin `))).toMatch(/^2026-12-22 01:00 +2026-12-22 02:45 +2026-12-22 02:00\+01:00 +Europe\/Berlin Tue,Thu +\S+ +control plane 1\.32\.0 -> 1\.32\.4/);
  });

  it('-o ics parses back: one event per row, UIDs and UTC times', async () => {
    const [ics, json] = await Promise.all([schedule('-n', namespace, '-o', 'ics'), schedule('-n', namespace, '-o', 'json')]);
    expect(ics.code, ics.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as ScheduleRow[];
    const events = new ICAL.Component(ICAL.parse(ics.stdout)).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events).toHaveLength(rows.length);
    expect(events.map((e) => [e.startDate.toJSDate().toISOString(), e.endDate.toJSDate().toISOString()])).toEqual(
      rows.map((r) => [new Date(r.start ?? '').toISOString(), new Date(r.end ?? '').toISOString()]),
    );
    expect(new Set(events.map((e) => e.uid)).size).toBe(rows.length);
    expect(events.map((e) => e.summary.split(':')[0])).toEqual(rows.map((r) => `${namespace}/${r.name}`));
  });

  it('without the exclusion CRDs (a 404 for their lists) there are no freezes', async () => {
    if (exclusionCrds) return; // installed by this run's setup: the next test covers them
    const run = await schedule('-n', namespace, '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as ScheduleRow[]).every((r) => r.restriction === null)).toBe(true);
  });

  it('a MaintenanceExclusion and a ClusterMaintenanceExclusion created with kubectl suppress and restrict the runs they cover', async () => {
    if (!exclusionCrds) {
      // This branch's cluster has no exclusion CRDs: a minimal stand-in (the shipped ones come with the webhook's validation).
      expect((await applyYaml(STAND_IN_CRDS)).code).toBe(0);
      await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/maintenanceexclusions.maintenance.shoot-maintenance.io', 'crd/clustermaintenanceexclusions.maintenance.shoot-maintenance.io']);
      installedStandIn = true;
    }
    const applied = await applyYaml(
      [
        { kind: 'MaintenanceExclusion', metadata: { name: 'holidays', namespace }, spec: { start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', scope: 'NoUpgrades', reason: 'holidays' } },
        {
          kind: 'ClusterMaintenanceExclusion',
          metadata: { name: `${namespace}-minor` },
          spec: { start: '2026-12-21T00:00:00Z', end: '2026-12-23T00:00:00Z', scope: 'NoMinorUpgrades', namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
        },
      ]
        .map((o) => stringify({ apiVersion: 'maintenance.shoot-maintenance.io/v1alpha1', ...o }))
        .join('---\n'),
    );
    expect(applied.code, applied.stderr).toBe(0);
    const run = await schedule('-n', namespace, '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as ScheduleRow[];
    expect(rows.filter((r) => r.suppressed).map((r) => `${r.name} ${r.start ?? ''}`)).toEqual([
      'berlin 2026-12-24T01:00:00Z',
      'morning 2026-12-24T06:00:00Z',
      'daily 2026-12-24T22:00:00Z',
      'morning 2026-12-25T06:00:00Z',
      'daily 2026-12-25T22:00:00Z',
      'morning 2026-12-26T06:00:00Z',
      'daily 2026-12-26T22:00:00Z',
    ]);
    expect(rows.filter((r) => r.restriction?.scope === 'NoMinorUpgrades').map((r) => `${r.name} ${r.start ?? ''}`)).toEqual([
      'morning 2026-12-21T06:00:00Z',
      'daily 2026-12-21T22:00:00Z',
      'berlin 2026-12-22T01:00:00Z',
      'morning 2026-12-22T06:00:00Z',
      'daily 2026-12-22T22:00:00Z',
    ]);
    // A patch update passes a NoMinorUpgrades freeze.
    expect(rows.find((r) => r.name === 'daily')).toMatchObject({ kubernetes: { to: '1.32.4' }, deferred: [] });
  });
});
