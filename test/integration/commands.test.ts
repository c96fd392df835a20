// The offline commands (`review`, `plan`, `certs`): called as functions for what they answer, and
// run as a user runs them, on bad files.
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyJsonPatch, type JsonPatchOperation } from '../../src/admission/json-patch.js';
import { writeDevelopmentCertificates } from '../../src/commands/certs.js';
import { runPlanCommand } from '../../src/commands/plan.js';
import { runReview } from '../../src/commands/review.js';
import { PENDING_SPEC_ANNOTATION } from '../../src/core/rollout.js';
import type { Shoot } from '../../src/core/shoot.js';
import { EXAMPLES, type Path, pathsOf, readExample, setAt } from './helpers.js';
import { CLI, requireBuild } from './webhook-child.js';

// The `review`, `plan` and `certs` commands, called as functions (the CLI wraps them one to one).
describe('called as functions', () => {
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

  // examples/shoots/auto-rotation.yaml at 2026-11-24T22:10:00Z: the SSH keypair is due, observability
  // is not, the ETCD key is due but a rotation of it is in progress (Gardener's texts,
  // reconciler.go computeCredentialsToRotationResults and buildMaintenanceMessages).
  describe('plan with automatic credential rotation', () => {
    const rotationPlan = (output: 'json' | 'text') =>
      runPlanCommand({ shoot: join(EXAMPLES, 'shoots', 'auto-rotation.yaml'), cloudProfile: profile, now: '2026-11-24T22:10:00Z', output });

    it('-o json lists the rotations, the annotation the run writes and the failed lastMaintenance', () => {
      const out = JSON.parse(rotationPlan('json')) as {
        credentialRotations: unknown[];
        operations: string[];
        lastMaintenance: { state: string; description: string; failureReason?: string };
        shoot: Shoot;
      };
      expect(out.credentialRotations).toEqual([
        { operation: 'rotate-ssh-keypair', description: 'SSH keypair rotation started', reason: 'Automatic rotation of SSH keypair configured' },
        { operation: 'rotate-etcd-encryption-key', reason: 'ETCD encryption key rotation is already in progress', error: 'Could not start ETCD encryption key rotation' },
      ]);
      expect(out.operations).toEqual(['Added "reconcile;rotate-ssh-keypair" operation annotation']);
      expect(out.shoot.metadata.annotations?.['gardener.cloud/operation']).toBe('reconcile;rotate-ssh-keypair');
      expect(out.lastMaintenance.state).toBe('Failed');
      expect(out.lastMaintenance.description).toMatch(/^\(1\/2\) maintenance operations successful\. Credentials "rotate-ssh-keypair": SSH keypair rotation started\. Reason: /);
      expect(out.lastMaintenance.failureReason).toBe('Credentials "rotate-etcd-encryption-key": Automatic rotation failure due to: Could not start ETCD encryption key rotation');
    });

    it('-o text shows one line per rotation', () => {
      const text = rotationPlan('text');
      expect(text).toContain('\n  Credentials "rotate-ssh-keypair": SSH keypair rotation started (Automatic rotation of SSH keypair configured)\n');
      expect(text).toContain(
        '\n  Credentials "rotate-etcd-encryption-key": ERROR: Could not start ETCD encryption key rotation (ETCD encryption key rotation is already in progress)\n',
      );
      expect(text).not.toContain('rotate-observability-credentials');
    });

    it('a day before the SSH keypair is due, nothing rotates', () => {
      const out = JSON.parse(
        runPlanCommand({ shoot: join(EXAMPLES, 'shoots', 'auto-rotation.yaml'), cloudProfile: profile, now: '2026-11-17T22:10:00Z', output: 'json' }),
      ) as { credentialRotations: { operation: string }[] };
      expect(out.credentialRotations.map((r) => r.operation)).toEqual(['rotate-etcd-encryption-key']);
    });
  });

  // VersionClassificationLifecycle (--feature-gates): examples/cloudprofile.yaml with 1.31.x on lifecycles.
  // examples/namespacedcloudprofile.yaml (local-dev in garden-dev) extends 1.31.0 and gardenlinux
  // 1443.10.0, both expired in examples/cloudprofile.yaml; examples/shoots/namespaced-profile.yaml uses it.
  describe('a NamespacedCloudProfile beside its parent', () => {
    const namespaced = join(EXAMPLES, 'namespacedcloudprofile.yaml');
    const extended = join(EXAMPLES, 'shoots', 'namespaced-profile.yaml');
    const at = '2026-11-24T22:10:00Z';
    const shootAs = (edit: (s: Shoot) => void): string => {
      const s = parseYaml(readFileSync(extended, 'utf8')) as Shoot;
      edit(s);
      const file = join(tmp, `ncp-shoot-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(s));
      return file;
    };

    it('plan keeps the versions the namespaced profile extends; on the parent alone they are forced', () => {
      const merged = runPlanCommand({ shoot: extended, cloudProfile: [profile, namespaced], now: at, output: 'text' });
      expect(merged).toContain('Changes:\n  Annotation gardener.cloud/operation: (none) -> reconcile\n');
      expect(merged).not.toContain('FORCED');
      const onParent = runPlanCommand({ shoot: shootAs((s) => (s.spec.cloudProfile = { kind: 'CloudProfile', name: 'local' })), cloudProfile: [profile, namespaced], now: at, output: 'text' });
      expect(onParent).toContain('  Control plane: Kubernetes 1.31.0 -> 1.31.6 FORCED (Kubernetes version expired - force update required)\n');
    });

    it('plan takes the files in any order', () => {
      expect(runPlanCommand({ shoot: extended, cloudProfile: [namespaced, profile], now: at, output: 'json' })).toBe(
        runPlanCommand({ shoot: extended, cloudProfile: [profile, namespaced], now: at, output: 'json' }),
      );
    });

    it('plan refuses in one line when the referenced profile is not among the files', () => {
      expect(() => runPlanCommand({ shoot: extended, cloudProfile: [profile], now: at, output: 'text' })).not.toThrow();
      expect(() => runPlanCommand({ shoot: shootAs((s) => (s.spec.cloudProfile = { kind: 'NamespacedCloudProfile', name: 'other' })), cloudProfile: [profile, namespaced], now: at, output: 'text' })).toThrow(
        'the shoot references NamespacedCloudProfile "garden-dev/other", which is not among the --cloud-profile files',
      );
      expect(() => runPlanCommand({ shoot: extended, cloudProfile: [namespaced], now: at, output: 'text' })).toThrow(
        `${namespaced}: NamespacedCloudProfile "garden-dev/local-dev" is unusable: parent CloudProfile "local" not found (give the parent with another --cloud-profile)`,
      );
      expect(() => runPlanCommand({ shoot: shootAs((s) => delete s.metadata.namespace), cloudProfile: [profile, namespaced], now: at, output: 'text' })).toThrow(
        /has no metadata\.namespace: a NamespacedCloudProfile is looked up in the shoot's namespace$/,
      );
    });

    const createReview = (shoot: Shoot): string => {
      const file = join(tmp, `ncp-review-${Math.random().toString(36).slice(2)}.json`);
      const { status: _status, ...object } = shoot;
      writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { uid: 'ncp-1', operation: 'CREATE', name: object.metadata.name, namespace: object.metadata.namespace, object, userInfo: { username: 'alice' } },
        }),
      );
      return file;
    };
    const extendedShoot = () => parseYaml(readFileSync(extended, 'utf8')) as Shoot;

    it('review admits a shoot on an extended version and denies it on the parent, as the webhooks do', () => {
      expect(runReview({ request: createReview(extendedShoot()), cloudProfile: [profile, namespaced], now }).response.allowed).toBe(true);
      const onParent = extendedShoot();
      onParent.spec.cloudProfile = { kind: 'CloudProfile', name: 'local' };
      const denied = runReview({ request: createReview(onParent), cloudProfile: [profile, namespaced], now }).response;
      expect(denied.allowed).toBe(false);
      expect(denied.status?.message).toContain('spec.kubernetes.version: Unsupported value: "1.31.0": supported values: ');
    });

    it('review validates a NamespacedCloudProfile against its parent', () => {
      const ncp = parseYaml(readFileSync(namespaced, 'utf8')) as { metadata: Record<string, unknown>; spec: { kubernetes: { versions: { version: string }[] } } };
      ncp.spec.kubernetes.versions[0]!.version = '1.25.0';
      const file = join(tmp, 'ncp-review-profile.json');
      writeFileSync(file, JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'ncp-2', operation: 'CREATE', object: ncp } }));
      expect(runReview({ request: file, cloudProfile: [profile], now }).response.status?.message).toBe(
        "invalid kubernetes version specified: '1.25.0' does not exist in parent CloudProfile and thus cannot be overridden",
      );
      expect(runReview({ request: file, now }).response.status?.message).toBe('parent CloudProfile could not be found');
    });
  });

  describe('version lifecycles', () => {
    const lifecycleProfile = (): string => {
      const p = parseYaml(readFileSync(profile, 'utf8')) as { spec: { kubernetes: { versions: Record<string, unknown>[] } } };
      p.spec.kubernetes.versions = p.spec.kubernetes.versions.map((v) =>
        v.version === '1.31.0'
          ? { version: '1.31.0', lifecycle: [{ classification: 'supported' }, { classification: 'deprecated', startTime: '2026-01-01T00:00:00Z' }, { classification: 'expired', startTime: '2026-06-01T00:00:00Z' }] }
          : v.version === '1.31.6'
            ? { version: '1.31.6', lifecycle: [{ classification: 'preview' }, { classification: 'supported', startTime: '2027-01-01T00:00:00Z' }] }
            : v,
      );
      const file = join(tmp, `lifecycle-profile-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(p));
      return file;
    };
    const createReview = (object: unknown): string => {
      const file = join(tmp, `cloudprofile-review-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: 'cp-1',
          kind: { group: 'core.gardener.cloud', version: 'v1beta1', kind: 'CloudProfile' },
          resource: { group: 'core.gardener.cloud', version: 'v1beta1', resource: 'cloudprofiles' },
          name: 'local',
          operation: 'CREATE',
          userInfo: { username: 'admin' },
          object,
        },
      }));
      return file;
    };

    it('review refuses a CloudProfile with lifecycles with the gate off and admits it with --feature-gates VersionClassificationLifecycle=true', () => {
      const request = createReview(JSON.parse(readFileSync(lifecycleProfile(), 'utf8')));
      const off = runReview({ request, now }).response;
      expect(off.allowed).toBe(false);
      expect(off.status?.message).toContain('spec.kubernetes.versions[5].lifecycle: Forbidden: lifecycles are not allowed with disabled VersionClassificationLifecycle feature gate');
      expect(runReview({ request, now, featureGates: 'VersionClassificationLifecycle=true' }).response).toEqual({ uid: 'cp-1', allowed: true });
    });

    it('review with the gate on reports Gardener\'s lifecycle texts', () => {
      const p = JSON.parse(readFileSync(lifecycleProfile(), 'utf8')) as { spec: { kubernetes: { versions: Record<string, unknown>[] } } };
      p.spec.kubernetes.versions[0] = { version: '1.33.2', lifecycle: [{ classification: 'preview' }, { classification: 'expired', startTime: '2030-01-01T00:00:00Z' }] };
      const denied = runReview({ request: createReview(p), now, featureGates: 'VersionClassificationLifecycle=true' }).response;
      expect(denied.allowed).toBe(false);
      expect(denied.status?.message).toContain(`spec.kubernetes.versions[].lifecycle: Invalid value: "null": classification expired of latest kubernetes version ('1.33.2') must not be set`);
    });

    it('rejects an unknown gate naming the known ones', () => {
      expect(() => runReview({ request: createReview({}), now, featureGates: 'Lifecycle=true' })).toThrow('--feature-gates: unknown feature gate "Lifecycle" (known gates: VersionClassificationLifecycle)');
    });

    it('plan forces the update of a version whose lifecycle reached expired, to a target chosen by lifecycle', () => {
      const file = lifecycleProfile();
      const at = (instant: string) =>
        runPlanCommand({ shoot: join(EXAMPLES, 'shoots', 'expired-versions.yaml'), cloudProfile: file, now: instant, output: 'text', featureGates: 'VersionClassificationLifecycle=true' });
      // 2026-11-24: 1.31.0 is expired and 1.31.6 still a preview, so the forced update goes to the next minor.
      const expired = at('2026-11-24T22:10:00Z');
      expect(expired).toContain('Kubernetes version expired - force update required');
      expect(expired).toContain('"1.31.0" to "1.32.4"');
      // 2027-11-24: 1.31.6 has become supported: the patch update comes first.
      expect(at('2027-11-24T22:10:00Z')).toContain('"1.31.0" to "1.31.6"');
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
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
/** `node [nodeArgs] dist/cli.js args` in a child process, as a user runs it. */
function cli(args: string[], nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, CLI, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// `review` and `plan` on bad files, run as a user runs them (`node dist/cli.js …` in a child
// process): a clear one-line message on stderr and a non-zero exit, or (review) a well-formed
// response review; never a stack trace, never a JavaScript internal error text.
describe('run as a user runs them, on bad files', () => {
  requireBuild();
  const tmp = mkdtempSync(join(tmpdir(), 'sm-commands-bad-files-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** What a JavaScript bug looks like to a user, as opposed to a message about their file. */
  const INTERNAL = /is not a function|Cannot read propert|is not iterable|Cannot convert|undefined is not|Maximum call stack|is not defined|Invalid time value|\n\s+at /;

  /** The contract for a failed run: non-zero, one line naming the program, nothing internal. */
  function refusal(run: Run): string | undefined {
    if (run.code === 0) return undefined;
    if (run.code === null) return 'killed or timed out';
    if (!/^shoot-maintenance: [^\n]+\n$/.test(run.stderr)) return `stderr is not one line: ${JSON.stringify(run.stderr.slice(0, 300))}`;
    if (INTERNAL.test(run.stderr)) return `internal error shown to the user: ${run.stderr.trim()}`;
    return undefined;
  }

  async function runAll<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < items.length) {
          const i = next++;
          await work(items[i] as T, i);
        }
      }),
    );
  }

  type Json = Record<string, unknown>;

  const REVIEW = JSON.parse(readExample('reviews/update-confined.json')) as Json;
  const REVIEW_TEXT = JSON.stringify(REVIEW);

  /** Bad request files: broken syntax, hostile YAML, wrong types anywhere, odd bytes. */
  const badReviewFile: fc.Arbitrary<{ kind: string; content: Buffer }> = fc.oneof(
    fc.double({ min: 0, max: 0.999, noNaN: true }).map((f) => ({ kind: 'truncated', content: Buffer.from(REVIEW_TEXT.slice(0, Math.floor(REVIEW_TEXT.length * f))) })),
    fc.uint8Array({ minLength: 0, maxLength: 200 }).map((b) => ({ kind: 'random-bytes', content: Buffer.from(b) })),
    fc.tuple(fc.constantFrom(...pathsOf(REVIEW)), fc.constantFrom<unknown>(7, 'x', null, [], {}, true, 1.5)).map(([p, v]) => ({ kind: 'wrong-type', content: Buffer.from(JSON.stringify(setAt(REVIEW, p, v))) })),
    fc.integer({ min: 5, max: 40 }).map((n) => {
      // "billion laughs": each level doubles the one before.
      const lines = ['a0: &a0 [x, x]', ...Array.from({ length: n }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`)];
      return { kind: 'alias-bomb', content: Buffer.from(lines.join('\n')) };
    }),
    fc.integer({ min: 1_000, max: 20_000 }).map((d) => ({ kind: 'deep', content: Buffer.from(`${'['.repeat(d)}${']'.repeat(d)}`) })),
    fc.constantFrom('', '---\n---\n', 'null', '[]', '"x"', '{"__proto__": {"polluted": true}}', 'apiVersion: [', '\t\t:').map((t) => ({ kind: 'odd-text', content: Buffer.from(t) })),
  );

  describe('review --request <bad file>', () => {
    it('answers with a review or refuses in one line, never with a stack trace', { timeout: 120_000 }, async () => {
      const samples = fc.sample(badReviewFile, { numRuns: 16, seed: 7001 });
      const problems: string[] = [];
      const outcomes = new Map<string, number>();
      await runAll(samples, 3, async (s, i) => {
        const file = join(tmp, `review-${i}.json`);
        writeFileSync(file, s.content);
        const run = await cli(['review', '--request', file, '--cloud-profile', join(EXAMPLES, 'cloudprofile.yaml'), '--now', '2026-03-01T12:00:00Z']);
        outcomes.set(`${s.kind}:${run.code}`, (outcomes.get(`${s.kind}:${run.code}`) ?? 0) + 1);
        if (run.code === 0) {
          const review = JSON.parse(run.stdout) as { response?: { allowed?: unknown; status?: { message?: string } } };
          if (typeof review.response?.allowed !== 'boolean') problems.push(`${s.kind}: exit 0 without a review`);
          if (review.response?.status?.message?.includes('internal error')) problems.push(`${s.kind}: internal error in ${review.response.status.message}`);
        } else {
          const bad = refusal(run);
          if (bad) problems.push(`${s.kind}: ${bad}`);
        }
      });
      process.stdout.write(`[reliability] review on ${samples.length} bad files: ${JSON.stringify(Object.fromEntries(outcomes))}\n`);
      expect(problems).toEqual([]);
      expect([...outcomes.keys()].some((k) => k.endsWith(':1'))).toBe(true);
    });

    it.each([
      ['a missing file', () => join(tmp, 'nope.json')],
      ['a directory', () => tmp],
    ])('refuses %s in one line', async (_name, file) => {
      const run = await cli(['review', '--request', file()]);
      expect(run.code).toBe(1);
      expect(refusal(run)).toBeUndefined();
    });
  });

  const SHOOT = parseYaml(readExample('shoots/confined.yaml')) as Json & { metadata: Json; spec: Json & { maintenance: Json } };
  SHOOT.metadata.annotations = { 'gardener.cloud/operation': 'maintain', 'maintenance.gardener.cloud/operation': 'rotate-ssh-keypair' };
  SHOOT.spec.maintenance.autoRotation = { credentials: { sshKeypair: { rotationPeriod: '24h' } } };
  SHOOT.status = { lastMaintenance: { description: 'ok', state: 'Succeeded', triggeredTime: '2026-02-01T22:10:00Z' }, lastOperation: { type: 'Reconcile', state: 'Succeeded' } };
  const PROFILE = parseYaml(readExample('cloudprofile.yaml')) as Json;

  it('plan on a good file with automatic credential rotation prints Gardener\'s texts', async () => {
    const run = await cli(['plan', '--shoot', join(EXAMPLES, 'shoots', 'auto-rotation.yaml'), '--cloud-profile', join(EXAMPLES, 'cloudprofile.yaml'), '--now', '2026-11-24T22:10:00Z']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  Credentials "rotate-ssh-keypair": SSH keypair rotation started (Automatic rotation of SSH keypair configured)\n');
    expect(run.stdout).toContain('  Annotation gardener.cloud/operation: (none) -> reconcile;rotate-ssh-keypair\n');
  });

  describe('plan on files with a wrong type in a field it reads', () => {
    // Every path of the Shoot and the CloudProfile with each wrong type: the in-process sweep is
    // cheap; the child-process runs below then check what a user sees for a seeded sample of them.
    const cases: { file: 'shoot' | 'profile'; path: Path; value: unknown }[] = [];
    for (const value of [42, true, null, 'x', [], { a: 1 }] as unknown[]) {
      for (const path of pathsOf(SHOOT)) if (path.length > 0) cases.push({ file: 'shoot', path, value });
      for (const path of pathsOf(PROFILE)) if (path.length > 0) cases.push({ file: 'profile', path, value });
    }

    it('refuses in one line that names the problem, or prints a plan', { timeout: 120_000 }, async () => {
      // The fields plan reads most (window, versions, images, annotations) first, then a seeded sample.
      const key = (c: (typeof cases)[number]) => `${c.file} ${c.path.join('.')}=${JSON.stringify(c.value)}`;
      const pinned = [
        'shoot spec.maintenance.timeWindow.begin=42',
        'shoot metadata.annotations.gardener.cloud/operation=true',
        'shoot spec.provider.workers.0.machine.image.name=42',
        'profile spec.kubernetes.versions.0.version=42',
        'profile spec.kubernetes.versions.1=null',
        'profile spec.machineImages.0={"a":1}',
      ];
      const chosen = [
        ...cases.filter((c) => pinned.includes(key(c))),
        ...fc.sample(fc.constantFrom(...cases), { numRuns: 14, seed: 9001 }),
      ];
      expect(chosen.length).toBe(20);
      const problems: string[] = [];
      let refused = 0;
      await runAll(chosen, 3, async (c, i) => {
        const shootFile = join(tmp, `plan-shoot-${i}.json`);
        const profileFile = join(tmp, `plan-profile-${i}.json`);
        writeFileSync(shootFile, JSON.stringify(c.file === 'shoot' ? setAt(SHOOT, c.path, c.value) : SHOOT));
        writeFileSync(profileFile, JSON.stringify(c.file === 'profile' ? setAt(PROFILE, c.path, c.value) : PROFILE));
        const run = await cli(['plan', '--shoot', shootFile, '--cloud-profile', profileFile, '--now', '2026-03-01T22:10:00Z', '-o', 'json']);
        if (run.code !== 0) refused++;
        const bad = refusal(run);
        if (bad) problems.push(`${key(c)}: ${bad}`);
        else if (run.code === 0) {
          const out = JSON.parse(run.stdout) as { lastMaintenance?: { state?: unknown } };
          if (typeof out.lastMaintenance?.state !== 'string') problems.push(`${key(c)}: exit 0 without a plan`);
        }
      });
      process.stdout.write(`[reliability] plan on ${chosen.length} files with a wrong type: ${refused} refused, ${problems.length} problems\n${problems.map((p) => `  ${p}\n`).join('')}`);
      expect(problems).toEqual([]);
    });
  });
});

// On a Node older than 24 (Debian 12's is 20), the program would fail while loading client-node's
// undici, with a stack trace. dist/cli.js checks first. The child is this Node, told by a preload
// that it is 20.20.2; the message is the one a user of Debian's Node sees.
describe('run on a Node older than 24', () => {
  requireBuild();
  const pretend20 = `data:text/javascript,${encodeURIComponent("Object.defineProperty(process.versions, 'node', { value: '20.20.2' });")}`;

  it.each([[['--help']], [['plan', '--shoot', 'examples/shoots/auto-rotation.yaml']], [['webhook']]])('%j: one line that names the Node it needs, exit 1', async (args) => {
    expect(await cli(args, ['--import', pretend20])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'shoot-maintenance: needs Node 24 or newer, this is Node 20.20.2. In a checkout, `eval "$(bash scripts/node24.sh)"` puts Node 24 first on PATH.\n',
    });
  });
});
