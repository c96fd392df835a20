// The `review`, `plan` and `certs` commands, called as functions (the CLI wraps them one to one).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyJsonPatch, type JsonPatchOperation } from '../../src/admission/json-patch.js';
import { writeDevelopmentCertificates } from '../../src/commands/certs.js';
import { runPlanCommand } from '../../src/commands/plan.js';
import { runReview } from '../../src/commands/review.js';
import { PENDING_SPEC_ANNOTATION } from '../../src/core/rollout.js';
import type { Shoot } from '../../src/core/shoot.js';
import { EXAMPLES } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sm-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const profile = join(EXAMPLES, 'cloudprofile.yaml');
const reviewFile = (name: string) => join(EXAMPLES, 'reviews', name);
const now = '2026-03-01T12:00:00Z';
const patchOf = (patch: string | undefined): JsonPatchOperation[] =>
  patch ? (JSON.parse(Buffer.from(patch, 'base64').toString()) as JsonPatchOperation[]) : [];

describe('review', () => {
  it('mutates then validates: a shoot without window gets one and passes', () => {
    const out = runReview({ request: reviewFile('create-without-window.json'), cloudProfile: [profile], now });
    expect(out.apiVersion).toBe('admission.k8s.io/v1');
    expect(out.response.allowed).toBe(true);
    const request = JSON.parse(readFileSync(reviewFile('create-without-window.json'), 'utf8')) as { request: { object: Shoot } };
    const mutated = applyJsonPatch(request.request.object, patchOf(out.response.patch));
    expect(mutated.spec.maintenance?.timeWindow?.begin).toMatch(/^(0\d|1\d|2[0-2])0000\+0000$/);
  });

  it('defaults the latest supported version for a shoot whose kubernetes block is empty (YAML null)', () => {
    const file = reviewFile('create-empty-kubernetes.yaml');
    const out = runReview({ request: file, cloudProfile: [profile], now });
    expect(out.response.allowed).toBe(true);
    const sent = (parseYaml(readFileSync(file, 'utf8')) as { request: { object: Shoot } }).request.object;
    expect(sent.spec.kubernetes).toBeNull();
    const stored = applyJsonPatch(sent, patchOf(out.response.patch));
    // 1.33.1: the latest `supported` version of examples/cloudprofile.yaml (1.33.2 is a preview).
    expect(stored.spec.kubernetes).toEqual({ version: '1.33.1' });
    expect(stored.spec.provider.workers?.[0]?.machine.image).toEqual({ name: 'gardenlinux', version: '1592.4.0' });
  });

  it('denies a 15-minute window', () => {
    const out = runReview({ request: reviewFile('create-15-minute-window.json'), cloudProfile: [profile], now });
    expect(out.response.allowed).toBe(false);
    expect(out.response.status?.message).toContain('time window must not be smaller than 30m0s');
  });

  it('holds a confined update with a warning', () => {
    const out = runReview({ request: reviewFile('update-confined.json'), cloudProfile: [profile], now });
    expect(out.response.allowed).toBe(true);
    expect(out.response.warnings).toEqual([expect.stringMatching(/^spec change held until the maintenance window starting 2026-03-01T22:00:00Z/)]);
    const request = JSON.parse(readFileSync(reviewFile('update-confined.json'), 'utf8')) as { request: { object: Shoot } };
    const mutated = applyJsonPatch(request.request.object, patchOf(out.response.patch));
    expect(mutated.spec.kubernetes.version).toBe('1.32.4');
    expect(mutated.metadata.annotations?.[PENDING_SPEC_ANNOTATION]).toContain('"1.33.1"');
  });

  it('runs only the validating webhook when asked', () => {
    const out = runReview({ request: reviewFile('create-without-window.json'), cloudProfile: [profile], now, webhook: 'validate' });
    expect(out.response).toEqual({ uid: '3f7a1c2e-0001-4c1d-8a55-5b0c1e2d3f40', allowed: true });
  });

  it('reads YAML requests', () => {
    const yamlFile = join(tmp, 'review.yaml');
    writeFileSync(
      yamlFile,
      'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: y-1\n  operation: DELETE\n  oldObject: {metadata: {name: a}}\n',
    );
    expect(runReview({ request: yamlFile, now }).response).toEqual({ uid: 'y-1', allowed: true });
  });

  it.each([
    ['a missing file', () => join(tmp, 'missing.json'), /^cannot read .*missing\.json: ENOENT/],
    ['truncated JSON', () => (writeFileSync(join(tmp, 't.json'), '{"apiVersion": "adm'), join(tmp, 't.json')), /is not valid JSON or YAML/],
    ['a wrong kind', () => (writeFileSync(join(tmp, 'k.json'), JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: { uid: 'x', operation: 'CREATE' } })), join(tmp, 'k.json')), /kind must be AdmissionReview/],
  ])('refuses %s with a one-line message', (_name, file, message) => {
    let error: Error | undefined;
    try {
      runReview({ request: file(), now });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('refuses an unreadable --now', () => {
    expect(() => runReview({ request: reviewFile('create-without-window.json'), now: 'yesterday' })).toThrow(/--now "yesterday" is not an ISO 8601 instant/);
  });
});

describe('plan', () => {
  // examples/shoots/expired-versions.yaml: window 22:00-23:00 UTC, effective until 22:45.
  const shootFile = (edit: (s: Shoot) => void): string => {
    const s = parseYaml(readFileSync(join(EXAMPLES, 'shoots', 'expired-versions.yaml'), 'utf8')) as Shoot;
    edit(s);
    const file = join(tmp, `shoot-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(s));
    return file;
  };
  const maintainedAt = (triggeredTime: string) => (s: Shoot) => {
    s.status = { ...s.status, lastMaintenance: { description: 'x', state: 'Succeeded', triggeredTime } };
  };
  const planJson = (file: string) =>
    JSON.parse(runPlanCommand({ shoot: file, cloudProfile: profile, now: '2026-11-24T22:10:00Z', output: 'json' })) as { due: boolean; dueReason: string };

  it('is not due for a shoot already maintained in this window occurrence, as the scheduler skips it', () => {
    const file = shootFile(maintainedAt('2026-11-24T22:02:00Z'));
    expect(planJson(file)).toMatchObject({ due: false, dueReason: 'maintained-in-this-occurrence' });
    const text = runPlanCommand({ shoot: file, cloudProfile: profile, now: '2026-11-24T22:10:00Z', output: 'text' });
    expect(text).toContain('now inside; due: no (already maintained in this window occurrence at 2026-11-24T22:02:00Z)');
  });

  it('is due in the window after a run in an earlier occurrence, and with `maintain` after one in this occurrence', () => {
    expect(planJson(shootFile(maintainedAt('2026-11-23T22:02:00Z')))).toMatchObject({ due: true, dueReason: 'in-window' });
    const asked = shootFile((s) => {
      maintainedAt('2026-11-24T22:02:00Z')(s);
      s.metadata.annotations = { ...s.metadata.annotations, 'gardener.cloud/operation': 'maintain' };
    });
    expect(planJson(asked)).toMatchObject({ due: true, dueReason: 'maintain-requested' });
  });
});

describe('certs', () => {
  it('writes a CA and a serving pair for localhost, 127.0.0.1 and the extra hosts', () => {
    const dir = join(tmp, 'certs');
    writeDevelopmentCertificates(dir, ['webhook.example', '10.0.0.7']);
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    const leaf = new X509Certificate(readFileSync(join(dir, 'tls.crt')));
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'tls.key'))))).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, DNS:webhook.example, IP Address:127.0.0.1, IP Address:10.0.0.7');
  });
});
