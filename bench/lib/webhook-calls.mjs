// kube-apiserver's own view of the Shoot webhook calls between two scrapes of its /metrics, for the
// benchmarks that go through it (bench/cluster.mjs, bench/node-service.mjs).
import { importTools } from './common.mjs';
import { sumOf } from './prometheus.mjs';

const { MUTATE_SHOOTS, VALIDATE_SHOOTS } = await importTools('webhook-registration.js');

/** The two Shoot webhooks, named as the test registration names them (and manifests/, by a unit test). */
export const SHOOT_HOOKS = new Set([MUTATE_SHOOTS, VALIDATE_SHOOTS]);

const shootCreates = { verb: 'POST', resource: 'shoots', group: 'core.gardener.cloud', subresource: (v) => (v ?? '') === '' };

/** kube-apiserver's view of the Shoot webhook calls between two scrapes: the whole admission time
 *  per call, and of it the HTTP round trip to `host` (the `host` label of its REST client's metric:
 *  127.0.0.1:<port> for a url webhook, <service>.<namespace>.svc:<port> for a Service). */
export function webhookCallSplit(before, after, host) {
  const d = (name, match) => sumOf(after, name, match) - sumOf(before, name, match);
  const createDuration = { sum: d('apiserver_request_duration_seconds_sum', shootCreates), count: d('apiserver_request_duration_seconds_count', shootCreates) };
  const shootHooks = (type) => ({ name: (v) => SHOOT_HOOKS.has(v), ...(type ? { type } : {}) });
  const admission = (type) => ({
    sum: d('apiserver_admission_webhook_admission_duration_seconds_sum', shootHooks(type)),
    count: d('apiserver_admission_webhook_admission_duration_seconds_count', shootHooks(type)),
  });
  const all = admission();
  const trip = host ? { sum: d('rest_client_request_duration_seconds_sum', { host }), count: d('rest_client_request_duration_seconds_count', { host }) } : { sum: 0, count: 0 };
  const ms = (x) => (x.count ? (x.sum / x.count) * 1000 : null);
  const callMs = ms(all);
  const tripMs = ms(trip);
  return {
    createRequests: createDuration.count,
    meanCreateMs: ms(createDuration),
    webhookCalls: all.count,
    roundTrips: trip.count,
    meanCallMs: callMs,
    meanMutatingMs: ms(admission('admit')),
    meanValidatingMs: ms(admission('validating')),
    meanRoundTripMs: tripMs,
    meanOwnWorkMs: callMs !== null && tripMs !== null ? callMs - tripMs : null,
    webhookShareOfCreateLatency: createDuration.sum ? all.sum / createDuration.sum : null,
  };
}

