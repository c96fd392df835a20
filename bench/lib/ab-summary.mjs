// The summary of alternating create rounds (bench/cluster.mjs, bench/node-service.mjs): per client
// count and mode, the median creates/s of its rounds (all rounds kept), p50/p99 of the pooled
// latencies, errors, and the means of kube-apiserver's per-call figures the rounds recorded.
import { percentile, round } from './common.mjs';

const median = (values) => {
  const v = [...values].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Mean of one `apiserver` field over rounds, null when no round has it. */
function meanOf(list, field) {
  const values = list.map((x) => x.apiserver[field]).filter((v) => v !== null && v !== undefined);
  return values.length ? round(values.reduce((x, y) => x + y, 0) / values.length, 2) : null;
}

/**
 * `rounds`: { clients, mode, perSecond, errors, apiserver: {…} }; `pooled`: Map of `${clients}|${mode}`
 * to every latency of those rounds (ms).
 */
export function summarizeRounds(rounds, pooled, modes) {
  const summary = {};
  for (const clients of [...new Set(rounds.map((x) => x.clients))]) {
    summary[clients] = {};
    for (const mode of modes) {
      const own = rounds.filter((x) => x.clients === clients && x.mode === mode);
      const latencies = (pooled.get(`${clients}|${mode}`) ?? []).sort((x, y) => x - y);
      const creates = own.reduce((x, y) => x + (y.apiserver.createRequests ?? 0), 0);
      summary[clients][mode] = {
        rounds: own.map((x) => x.perSecond),
        perSecond: round(median(own.map((x) => x.perSecond)), 1),
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        errors: own.reduce((x, y) => x + y.errors, 0),
        meanCreateMs: meanOf(own, 'meanCreateMs'),
        meanCallMs: meanOf(own, 'meanCallMs'),
        meanRoundTripMs: meanOf(own, 'meanRoundTripMs'),
        meanOwnWorkMs: meanOf(own, 'meanOwnWorkMs'),
        webhookCallsPerCreate: creates ? round(own.reduce((x, y) => x + y.apiserver.webhookCalls, 0) / creates, 2) : null,
      };
    }
  }
  return summary;
}

/**
 * Runs create rounds alternating `modes` at each client count: `switchTo(mode)` before each round,
 * `measure(mode, clients, r)` for the round itself ({ perSecond, latencyMs, latencies, errors,
 * firstError, apiserver }). Each round starts with the next mode, so no mode always follows the
 * same one. Returns the rounds and the pooled latencies, for summarizeRounds.
 */
export async function alternateRounds({ modes, clientCounts, rounds: count, switchTo, measure, say }) {
  const rounds = [];
  const pooled = new Map();
  for (const clients of [...new Set(clientCounts)]) {
    for (let r = 0; r < count; r++) {
      for (let k = 0; k < modes.length; k++) {
        const mode = modes[(r + k) % modes.length];
        await switchTo(mode);
        const res = await measure(mode, clients, r);
        const key = `${clients}|${mode}`;
        pooled.set(key, [...(pooled.get(key) ?? []), ...res.latencies]);
        rounds.push({ clients, round: r, mode, perSecond: res.perSecond, latencyMs: res.latencyMs, errors: res.errors, firstError: res.firstError, apiserver: res.apiserver });
        say(`${clients} client(s), round ${r + 1}/${count}, ${mode}: ${res.perSecond} creates/s, p50 ${res.latencyMs.p50} ms, errors ${res.errors}`);
      }
    }
  }
  return { rounds, pooled };
}
