// Least privilege in what the webhook says: an answer names the fields in error and their values,
// never other request content. A secret-looking string is put in fields the handlers do not judge
// (annotations, labels, provider config, userInfo, the old object), next to a bad field; neither
// the response nor the webhook's own log (at debug level) may contain it. Malformed reviews (400)
// must not quote the body either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { httpsCall, readExample } from './helpers.js';
import { startWebhookChild, sleep, type WebhookChild } from './reliability-process.js';

const SECRET = 'hunter2-S3CR3T-do-not-echo';
/** Parts of the secret: a parser message that quotes only a few characters around an error still shows one. */
const SECRET_PARTS = ['hunter2', 'S3CR3T', 'do-not-echo'];
const leaked = (text: string) => SECRET_PARTS.filter((p) => text.includes(p));

let w: WebhookChild;
beforeAll(async () => {
  w = await startWebhookChild(['--log-level', 'debug']);
});
afterAll(async () => {
  await w.stop();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function shootWithSecrets(): Json {
  const shoot = parseYaml(readExample('shoots/confined.yaml')) as Json;
  shoot.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ password: SECRET }),
    'example.com/token': SECRET,
  };
  shoot.metadata.labels = { owner: SECRET.slice(0, 40).replace(/[^A-Za-z0-9-]/g, '-') };
  shoot.spec.provider.infrastructureConfig = { apiVersion: 'x/v1', kind: 'Config', credentials: { password: SECRET } };
  shoot.spec.extensions = [{ type: 'dns', providerConfig: { apiKey: SECRET } }];
  return shoot;
}

function review(route: string, object: Json, oldObject: Json | null, operation = oldObject ? 'UPDATE' : 'CREATE'): string {
  void route;
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'leak-1',
      operation,
      name: object.metadata?.name,
      namespace: 'garden-dev',
      userInfo: { username: 'alice', extra: { token: [SECRET] } },
      object,
      oldObject,
    },
  });
}

/** A bad field next to the secrets: each is denied (or, for the mutation, still answered). */
const BAD_FIELDS: [string, (s: Json) => void][] = [
  ['a 15-minute window', (s) => (s.spec.maintenance.timeWindow = { begin: '220000+0000', end: '221500+0000' })],
  ['an unparsable window', (s) => (s.spec.maintenance.timeWindow = { begin: '25x', end: '230000+0000' })],
  ['an unknown version', (s) => (s.spec.kubernetes.version = '1.99.0')],
  ['an unknown image version', (s) => (s.spec.provider.workers[0].machine.image.version = '9.9.9')],
  ['an unknown operation', (s) => (s.metadata.annotations['gardener.cloud/operation'] = 'explode')],
  ['a wrong type', (s) => (s.spec.hibernation = { enabled: 'yes' })],
  ['a wrong type in the held spec', (s) => (s.metadata.annotations['maintenance.gardener.cloud/pending-spec'] = JSON.stringify({ kubernetes: { version: 5 }, provider: {} }))],
  ['a missing worker machine', (s) => delete s.spec.provider.workers[0].machine],
];

describe('denials name the field in error, never other request content', () => {
  it.each(BAD_FIELDS)('%s', async (_name, spoil) => {
    const bad = shootWithSecrets();
    spoil(bad);
    let denied = 0;
    for (const route of ['/mutate/shoots', '/validate/shoots']) {
      for (const [object, oldObject] of [
        [bad, null],
        [bad, shootWithSecrets()],
      ] as const) {
        const res = await httpsCall(w.url, route, { ca: w.ca.certPem, body: review(route, object, oldObject) });
        expect(res.status).toBe(200);
        const answer = JSON.parse(res.text) as { response: { allowed: boolean; patch?: string; status?: { message: string } } };
        if (!answer.response.allowed) denied++;
        // The patch may carry the user's own spec back (a held change); the secret must not be in
        // the message, the causes or the warnings.
        const { patch: _patch, ...rest } = answer.response;
        expect(leaked(JSON.stringify(rest))).toEqual([]);
      }
    }
    expect(denied).toBeGreaterThan(0);
  });

  it.each([
    ['a syntax error right after the secret', `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","token":"${SECRET}" x}}`],
    ['an unterminated secret', `{"apiVersion":"admission.k8s.io/v1","request":{"token":"${SECRET}`],
    ['a wrong kind beside the secret', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: SECRET, request: { uid: 'u', operation: 'CREATE' } })],
    ['a wrong operation', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: SECRET } })],
    ['a missing uid', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE', object: { token: SECRET } } })],
    ['a __proto__ key', `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","__proto__":{"token":"${SECRET}"}}}`],
  ])('a malformed review (%s) is refused without quoting it', async (_name, body) => {
    const res = await httpsCall(w.url, '/validate/shoots', { ca: w.ca.certPem, body });
    expect(res.status).toBe(400);
    expect(leaked(res.text)).toEqual([]);
  });

  // Before the next test: that one finds the echo of an unknown key, which the log repeats.
  it('keeps the secrets out of its own log, even at debug level', async () => {
    await sleep(200);
    expect(w.output().length).toBeGreaterThan(0);
    expect(leaked(w.output())).toEqual([]);
  });

  it('does not echo unknown keys that sit inside a field in error', async () => {
    // A CRD prunes unknown fields before admission; the webhook alone must not rely on that.
    const bad = shootWithSecrets();
    bad.spec.maintenance.timeWindow = { begin: '25x', end: '230000+0000', note: SECRET };
    const res = await httpsCall(w.url, '/validate/shoots', { ca: w.ca.certPem, body: review('', bad, null) });
    const answer = JSON.parse(res.text) as { response: { allowed: boolean; status?: { message: string } } };
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain('spec.maintenance.timeWindow');
    expect(leaked(res.text)).toEqual([]);
  });
});
