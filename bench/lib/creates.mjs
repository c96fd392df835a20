// Shoot creates for the benchmarks that go through kube-apiserver (bench/cluster.mjs,
// bench/node-service.mjs): one body (three workers, a window 12 h away) and timed creates.
import { percentile, round } from './common.mjs';
import { pool } from './kube-http.mjs';

export const SHOOTS_API = '/apis/core.gardener.cloud/v1beta1';

// A window 12 hours away from now (UTC, one hour long), so no shoot is in its window by chance
// and only the `maintain` trigger makes them due.
const farHour = (new Date().getUTCHours() + 12) % 24;
const two = (n) => String(n).padStart(2, '0');
const farWindow = { begin: `${two(farHour)}0000+0000`, end: `${two((farHour + 1) % 24)}0000+0000` };

export function shootBody(namespace, name) {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name, namespace },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      kubernetes: { version: '1.32.4' },
      maintenance: { timeWindow: farWindow },
      provider: {
        type: 'local',
        workers: ['a', 'b', 'c'].map((s) => ({
          name: `pool-${s}`,
          machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1592.4.0' } },
          minimum: 1,
          maximum: 3,
        })),
      },
    },
  };
}

export async function createShoots(client, namespace, count, prefix = 'shoot', concurrency = 16) {
  const latencies = [];
  const failures = [];
  const started = process.hrtime.bigint();
  const created = await pool(count, concurrency, async (i) => {
    const t0 = process.hrtime.bigint();
    const res = await client.call('POST', `${SHOOTS_API}/namespaces/${namespace}/shoots`, shootBody(namespace, `${prefix}-${String(i).padStart(5, '0')}`));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.status !== 201) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
    return res.status === 201 ? res.json() : undefined;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    count,
    seconds: round(seconds, 2),
    perSecond: round(count / seconds, 1),
    latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
    latencies,
    errors: failures.length,
    firstError: failures[0],
    sample: created.find((c) => c !== undefined),
  };
}

