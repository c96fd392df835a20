// 1,000 Shoot writes of the kinds a fleet sees, in a fixed order, to count the webhook calls they
// cause (bench/cluster.mjs, "webhook calls per 1,000 mixed writes"): creates, spec changes (a
// worker's maximum), label changes (GitOps tooling, owners), changes of annotations no handler
// reads (another tool's), changes of an annotation the handlers
// read (gardener.cloud/operation), and status patches (the status subresource, never matched).
import { SHOOTS_API, shootBody } from './creates.mjs';
import { pool } from './kube-http.mjs';
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

/** How many of each kind, out of 1,000; every one changes what it writes (none is a no-op). */
export const MIXED_WRITES = { create: 100, spec: 300, label: 250, unreadAnnotation: 150, readAnnotation: 100, status: 100 };

/**
 * Creates MIXED_WRITES.create shoots named `${prefix}-NNN` in `namespace` (creates.mjs's body), then
 * sends the other writes round-robin over them, `concurrency` at a time. Returns the count of each
 * kind that the API server accepted and the first failure.
 */
export async function mixedWrites(client, namespace, prefix, concurrency = 8) {
  const names = Array.from({ length: MIXED_WRITES.create }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  const accepted = Object.fromEntries(Object.keys(MIXED_WRITES).map((k) => [k, 0]));
  let firstFailure;
  const send = async (kind, method, path, body, contentType) => {
    const res = await client.call(method, path, body, contentType);
    if (res.status === 200 || res.status === 201) accepted[kind]++;
    else firstFailure ??= `${kind}: HTTP ${res.status} ${res.text.slice(0, 200)}`;
  };
  await pool(names.length, concurrency, (i) => send('create', 'POST', `${SHOOTS_API}/namespaces/${namespace}/shoots`, shootBody(namespace, names[i])));

  const writes = [];
  for (const [kind, count] of Object.entries(MIXED_WRITES)) {
    if (kind === 'create') continue;
    for (let i = 0; i < count; i++) writes.push({ kind, i });
  }
  // Interleave the kinds (a fixed permutation: every 7th, wrapping), so no kind runs alone.
  const order = writes.map((_, j) => writes[(j * 7) % writes.length]);
  if (new Set(order).size !== writes.length) throw new Error('mixed writes: the interleaving must be a permutation');
  await pool(order.length, concurrency, (j) => {
    const w = order[j];
    const name = names[w.i % names.length];
    const path = `${SHOOTS_API}/namespaces/${namespace}/shoots/${name}`;
    switch (w.kind) {
      case 'spec':
        // Each write to a shoot a new value (its writes are i, i + 100, i + 200; created with 3).
        return send(w.kind, 'PATCH', path, [{ op: 'replace', path: '/spec/provider/workers/0/maximum', value: 4 + Math.floor(w.i / names.length) }], JSON_PATCH);
      case 'label':
        return send(w.kind, 'PATCH', path, { metadata: { labels: { 'bench.shoot-maintenance.io/revision': String(w.i) } } }, MERGE);
      case 'unreadAnnotation':
        // An annotation of another tool set on every shoot, then removed again on half of them.
        return send(w.kind, 'PATCH', path, { metadata: { annotations: { 'example.com/last-synced': w.i < names.length ? `revision ${w.i}` : null } } }, MERGE);
      case 'readAnnotation':
        // One per shoot: `reconcile` asked for.
        return send(w.kind, 'PATCH', path, { metadata: { annotations: { 'gardener.cloud/operation': 'reconcile' } } }, MERGE);
      case 'status':
        return send(w.kind, 'PATCH', `${path}/status`, { status: { lastOperation: { type: 'Reconcile', state: 'Succeeded', progress: 100, lastUpdateTime: new Date(Date.UTC(2026, 0, 1, 0, w.i)).toISOString(), description: 'bench' } } }, MERGE);
      default:
        throw new Error(`unknown write ${w.kind}`);
    }
  });
  return { accepted, firstFailure };
}
