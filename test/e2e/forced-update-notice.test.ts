// The notice before a forced update through the real kube-apiserver, webhooks and scheduler:
// a CloudProfile whose 1.32.0 expires in two days; the Shoot on it gets ONE ForcedUpdateScheduled
// Event, the forced-update-notices annotation and the gauge; a restarted scheduler gives no
// second Event, not even after the Event is gone (as after kube-apiserver's --event-ttl).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { applyYaml, getJson, kubectl, uniqueName, waitFor } from './harness.js';
import { leaseHolder, must, schedulerAsDeployed, shootYaml, windowElsewhere, type SchedulerChild, type ShootJson } from './scheduler-support.js';

const NOTICES = 'maintenance.gardener.cloud/forced-update-notices';
const HOUR_MS = 3600_000;

interface EventItem {
  metadata: { name: string; uid: string };
  type: string;
  reason: string;
  message: string;
  involvedObject: { name: string; kind: string };
}

describe('notice before a forced update', () => {
  const namespace = uniqueName('notice');
  const profileName = uniqueName('expiring');
  const name = 'expiring';
  // Two days from now on the hour: well inside the default notice period of 168h.
  const expiry = new Date(Math.ceil((Date.now() + 48 * HOUR_MS) / HOUR_MS) * HOUR_MS);
  const expiryText = expiry.toISOString().replace('.000Z', 'Z');
  const window = windowElsewhere();
  let scheduler: SchedulerChild | undefined;
  let applyStderr = '';

  // The same window as Berlin wall-clock times (maintenance.gardener.cloud/time-zone): the Event names the local time and UTC.
  const zoned = 'zoned';
  const berlin = (hhmmss: string) => {
    const at = new Date();
    at.setUTCHours(Number(hhmmss.slice(0, 2)), Number(hhmmss.slice(2, 4)), Number(hhmmss.slice(4, 6)));
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
    return `${parts.replaceAll(':', '')}+0100`;
  };
  const events = async (shoot = name): Promise<EventItem[]> => {
    const out = await must(kubectl(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${shoot},reason=ForcedUpdateScheduled`, '-o', 'json']));
    return (JSON.parse(out) as { items: EventItem[] }).items;
  };
  /** The gauge's value for the shoot's control plane, once the scheduler's observation of it completed. */
  const gauge = async (s: SchedulerChild): Promise<number | undefined> => {
    const started = s.lines().find((l) => l.msg === 'scheduler started');
    if (!started) return undefined;
    const text = await (await fetch(`http://127.0.0.1:${String(started.metricsPort)}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('shoot_maintenance_forced_update_timestamp_seconds{') && l.includes(`namespace="${namespace}"`) && l.includes(`name="${name}"`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  const restart = async (identity: string) => {
    if (scheduler) await stopPid(scheduler.process.pid);
    expect(await leaseHolder()).toBe('');
    scheduler = schedulerAsDeployed(identity);
    const s = scheduler;
    return waitFor(() => gauge(s), 60_000, 300);
  };

  beforeAll(async () => {
    const profile = parseYaml(readFileSync(join(repoRoot(), 'examples', 'cloudprofile.yaml'), 'utf8')) as {
      metadata: { name: string };
      spec: { kubernetes: { versions: { version: string; expirationDate?: string }[] } };
    };
    profile.metadata.name = profileName;
    for (const v of profile.spec.kubernetes.versions) if (v.version === '1.32.0') v.expirationDate = expiryText;
    await must(applyYaml(JSON.stringify(profile)));
    await must(kubectl(['create', 'namespace', namespace]));
    // No automatic Kubernetes update: 1.32.0 stays until maintenance forces it after the expiry.
    const shoot = shootYaml({ name, namespace, cloudProfile: profileName, window }).replace('kubernetesVersion: true', 'kubernetesVersion: false');
    const applied = await applyYaml(shoot);
    if (applied.code !== 0) throw new Error(applied.stderr);
    applyStderr = applied.stderr;
    const zonedShoot = shootYaml({
      name: zoned,
      namespace,
      cloudProfile: profileName,
      window: { begin: berlin(window.begin), end: berlin(window.end) },
      annotations: { 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin' },
    }).replace('kubernetesVersion: true', 'kubernetesVersion: false');
    await must(applyYaml(zonedShoot));
  });

  afterAll(async () => {
    if (scheduler) await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await kubectl(['delete', 'cloudprofile', profileName, '--wait=false']);
  });

  it('the webhook warns when the forced update is planned', () => {
    process.stderr.write(`kubectl apply (shoot ${name}):\n${applyStderr}\n`);
    expect(applyStderr).toContain(`Warning: Kubernetes version 1.32.0 of the control plane expires on ${expiryText}, forced update from `);
  });

  it('one ForcedUpdateScheduled Event, the annotation and the gauge; a restart gives no second Event, nor does one after the Event is gone', async () => {
    const planned = await restart('notice-1');
    const first = await waitFor(async () => {
      const items = await events();
      return items.length > 0 ? items : undefined;
    }, 30_000, 300);
    expect(first).toHaveLength(1);
    const event = first[0]!;
    const plannedText = new Date(planned * 1000).toISOString().replace('.000Z', 'Z');
    expect([event.type, event.reason, event.involvedObject.kind]).toEqual(['Normal', 'ForcedUpdateScheduled', 'Shoot']);
    expect(event.message).toBe(
      `Kubernetes version of the control plane expires ${expiryText}: forced update from "1.32.0" to "1.32.4" in the maintenance window starting ${plannedText}`,
    );
    // The first occurrence of the window after the expiry.
    expect(planned * 1000).toBeGreaterThan(expiry.getTime());
    expect(planned * 1000 - expiry.getTime()).toBeLessThanOrEqual(24 * HOUR_MS);
    const shoot = await getJson<ShootJson>('shoot', name, namespace);
    expect(JSON.parse(shoot.metadata.annotations?.[NOTICES] ?? '{}')).toEqual({ 'control plane': `1.32.0@${expiryText}` });
    expect(shoot.metadata.generation).toBe(1);
    // The zoned shoot: the same instant, named in Berlin time and in UTC.
    const [zonedEvent, ...more] = await waitFor(async () => {
      const items = await events(zoned);
      return items.length > 0 ? items : undefined;
    }, 30_000, 300);
    expect(more).toEqual([]);
    expect(zonedEvent?.message).toMatch(
      new RegExp(`^Kubernetes version of the control plane expires ${expiryText}: forced update from "1\\.32\\.0" to "1\\.32\\.4" in the maintenance window starting \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+0[12]:00 \\(${plannedText}\\)$`),
    );
    const printed = await must(kubectl(['get', 'events', '-n', namespace]));
    process.stderr.write(`kubectl get events -n ${namespace}:\n${printed}\n${event.message}\n${zonedEvent?.message ?? ''}\n`);

    // Restarted: it computes the notice again (the gauge), and records nothing.
    await restart('notice-2');
    expect((await events()).map((e) => e.metadata.uid)).toEqual([event.metadata.uid]);
    expect((await events(zoned)).map((e) => e.metadata.uid)).toEqual([zonedEvent?.metadata.uid]);

    // The Event expired (deleted here): the annotation still says it was given.
    await must(kubectl(['delete', 'event', event.metadata.name, '-n', namespace]));
    await restart('notice-3');
    expect(await events()).toEqual([]);
    expect((await getJson<ShootJson>('shoot', name, namespace)).metadata.generation).toBe(1);
  });
});
