import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { validateCloudProfileReview } from '../../../src/admission/cloudprofile-handlers.js';
import { DEFAULT_SCHEDULER_USER, type AdmissionDeps } from '../../../src/admission/handler-deps.js';
import { applyJsonPatch } from '../../../src/admission/json-patch.js';
import { patchOf, type AdmissionRequest } from '../../../src/admission/review.js';
import { mutateShootReview, validateShootReview } from '../../../src/admission/shoot-handlers.js';
import { PENDING_SPEC_ANNOTATION } from '../../../src/core/rollout.js';
import type { Shoot } from '../../../src/core/shoot.js';
import { loadCloudProfileFiles } from '../../../src/catalogue/profile-files.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const profiles = loadCloudProfileFiles([join(examples, 'cloudprofile.yaml')]);
const now = new Date('2026-03-01T12:00:00Z');
const deps = (overrides: Partial<AdmissionDeps> = {}): AdmissionDeps => ({
  profiles,
  now: () => now,
  schedulerUsers: [DEFAULT_SCHEDULER_USER],
  expiryWarningDays: 30,
  ...overrides,
});
const example = (file: string): Shoot => parseYaml(readFileSync(join(examples, 'shoots', file), 'utf8')) as Shoot;
const request = (operation: AdmissionRequest['operation'], object: unknown, oldObject: unknown = null, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'uid-1',
  operation,
  object: object as AdmissionRequest['object'],
  oldObject: oldObject as AdmissionRequest['oldObject'],
  userInfo: { username: 'alice' },
  ...extra,
});

describe('mutateShootReview', () => {
  it('adds the default window and autoUpdate on CREATE, the same for a dry run', () => {
    const shoot = example('no-window.yaml');
    const real = mutateShootReview(request('CREATE', shoot), deps());
    const dry = mutateShootReview(request('CREATE', shoot, null, { dryRun: true }), deps());
    expect(dry).toEqual(real);
    const mutated = applyJsonPatch(shoot, patchOf(real));
    expect(mutated.spec.maintenance?.timeWindow?.begin).toMatch(/^(0\d|1\d|2[0-2])0000\+0000$/);
    expect(mutated.spec.maintenance?.autoUpdate).toEqual({ kubernetesVersion: true, machineImageVersion: true });
  });

  it('completes a short Kubernetes version from the CloudProfile', () => {
    const shoot = example('no-window.yaml');
    shoot.spec.kubernetes.version = '1.32';
    const mutated = applyJsonPatch(shoot, patchOf(mutateShootReview(request('CREATE', shoot), deps())));
    expect(mutated.spec.kubernetes.version).toBe('1.32.4');
  });

  it('denies a version that cannot be completed (defaulting error)', () => {
    const shoot = example('no-window.yaml');
    shoot.spec.kubernetes.version = '1.x';
    const response = mutateShootReview(request('CREATE', shoot), deps());
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain('spec.kubernetes.version: Invalid value: "x": must be a semantic version');
  });

  it('denies a wrongly typed or too deep held spec, and leaves one that is not JSON to validation', () => {
    const live = example('confined.yaml');
    const withHeld = (raw: string) => {
      const s = structuredClone(live);
      s.metadata.annotations = { ...(s.metadata.annotations ?? {}), [PENDING_SPEC_ANNOTATION]: raw };
      return s;
    };
    const wrongType = mutateShootReview(request('UPDATE', withHeld(JSON.stringify({ ...live.spec, region: 5 })), live), deps());
    expect(wrongType.allowed).toBe(false);
    expect(wrongType.status?.message).toContain('must be the JSON of a Shoot spec: region must be a string');
    const deep = mutateShootReview(request('UPDATE', withHeld(JSON.stringify({ ...live.spec, x: '['.repeat(600) })), live), deps());
    expect(deep.allowed).toBe(true);
    const tooDeep = mutateShootReview(request('UPDATE', withHeld(`{"kubernetes":{},"provider":{},"x":${'['.repeat(600)}${']'.repeat(600)}}`), live), deps());
    expect(tooDeep.allowed).toBe(false);
    expect(tooDeep.status?.message).toContain('Invalid value: "<held spec>"');
    expect(mutateShootReview(request('UPDATE', withHeld('{nope'), live), deps()).allowed).toBe(true);
    expect(validateShootReview(request('UPDATE', withHeld('{nope'), live), deps()).allowed).toBe(false);
  });

  it('holds a confined UPDATE with a warning, and releases it for the scheduler', () => {
    const live = example('confined.yaml');
    const desired = structuredClone(live);
    desired.spec.kubernetes.version = '1.33.1';
    const held = mutateShootReview(request('UPDATE', desired, live), deps());
    const heldShoot = applyJsonPatch(desired, patchOf(held));
    expect(heldShoot.spec).toEqual(live.spec);
    expect(heldShoot.metadata.annotations?.[PENDING_SPEC_ANNOTATION]).toBeDefined();
    expect(held.warnings).toHaveLength(1);
    expect(held.warnings?.[0]?.length).toBeLessThan(120);

    const touched = structuredClone(heldShoot);
    touched.metadata.labels = { a: 'b' };
    const released = mutateShootReview(
      request('UPDATE', touched, heldShoot, { userInfo: { username: DEFAULT_SCHEDULER_USER } }),
      deps(),
    );
    const releasedShoot = applyJsonPatch(touched, patchOf(released));
    expect(releasedShoot.spec.kubernetes.version).toBe('1.33.1');
    expect(releasedShoot.metadata.annotations?.[PENDING_SPEC_ANNOTATION]).toBeUndefined();
    expect(released.warnings).toBeUndefined();
  });

  it.each(['DELETE', 'CONNECT'] as const)('allows %s untouched', (operation) => {
    expect(mutateShootReview(request(operation, null, example('no-window.yaml')), deps())).toEqual({ uid: 'uid-1', allowed: true });
  });

  it('denies an object of the wrong shape instead of throwing', () => {
    const shoot = example('no-window.yaml') as unknown as { spec: { kubernetes: { version: unknown } } };
    shoot.spec.kubernetes.version = 132;
    const response = mutateShootReview(request('CREATE', shoot), deps());
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.status?.message).toBe(
      'spec.kubernetes.version: Invalid value: "integer": must be of type string',
    );
  });

  it('answers an unexpected exception with a generic denial and logs it with the uid', () => {
    const error = vi.fn();
    const broken = deps({
      profiles: { get: () => { throw new Error('boom'); }, synced: () => true },
      log: { error, debug: () => undefined },
    });
    const response = mutateShootReview(request('CREATE', example('no-window.yaml')), broken);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/could not review this request \(internal error, uid uid-1\)/);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ uid: 'uid-1' }), 'admission handler failed');
  });
});

describe('validateShootReview', () => {
  it('denies a 15-minute window', () => {
    const response = validateShootReview(request('CREATE', example('fifteen-minute-window.yaml')), deps());
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain('time window must not be smaller than 30m0s');
  });

  it('denies an expired version on CREATE', () => {
    const shoot = example('confined.yaml');
    shoot.spec.kubernetes.version = '1.31.0';
    const response = validateShootReview(request('CREATE', shoot), deps());
    expect(response.status?.message).toContain('spec.kubernetes.version: Unsupported value: "1.31.0"');
  });

  it('denies a feature gate the version does not support and a required admission plugin disabled (null entries read as absent)', () => {
    const shoot = example('confined.yaml');
    shoot.spec.kubernetes.kubeAPIServer = { featureGates: { CSIMigrationRBD: true }, admissionPlugins: [{ name: 'NodeRestriction', disabled: true, config: null }] };
    shoot.spec.kubernetes.kubeProxy = { featureGates: null };
    const response = validateShootReview(request('CREATE', shoot), deps());
    expect(response.status?.code).toBe(403);
    expect(response.status?.message).toBe(
      `[spec.kubernetes.kubeAPIServer.admissionPlugins[0]: Forbidden: admission plugin "NodeRestriction" cannot be disabled, spec.kubernetes.kubeAPIServer.featureGates.CSIMigrationRBD: Forbidden: not supported in Kubernetes version ${shoot.spec.kubernetes.version}]`,
    );
  });

  it('allows a valid shoot', () => {
    const response = validateShootReview(request('CREATE', example('confined.yaml')), deps());
    expect(response.status).toBeUndefined();
    expect(response.allowed).toBe(true);
  });
});

describe('validateCloudProfileReview', () => {
  const profile = () => parseYaml(readFileSync(join(examples, 'cloudprofile.yaml'), 'utf8')) as { spec: { kubernetes: { versions: Record<string, unknown>[] } } };

  it('allows the example profile', () => {
    expect(validateCloudProfileReview(request('CREATE', profile()), deps())).toEqual({ uid: 'uid-1', allowed: true });
  });

  it('denies an expiration date on the latest version', () => {
    const p = profile();
    const latest = p.spec.kubernetes.versions[0] as Record<string, unknown>;
    latest.expirationDate = '2030-01-01T00:00:00Z';
    const response = validateCloudProfileReview(request('UPDATE', p, profile()), deps());
    expect(response.status?.code).toBe(403);
    expect(response.status?.message).toContain("expiration date of latest kubernetes version ('1.33.2') must not be set");
  });

  it('compares an UPDATE with the old profile at deps.now (a start after it turns an available version unavailable)', () => {
    const p = profile();
    // 1.33.1 is listed without a lifecycle (available); its lifecycle now starts three months after deps.now (the wall clock plays no part).
    p.spec.kubernetes.versions[1] = { version: '1.33.1', lifecycle: [{ classification: 'supported', startTime: '2026-06-01T00:00:00Z' }] };
    const response = validateCloudProfileReview(request('UPDATE', p, profile()), deps({ versionClassificationLifecycle: true }));
    expect(response.status?.message).toBe(
      'spec.kubernetes.versions[1]: Forbidden: a version cannot be turned unavailable if it was already moved into a later lifecycle stage',
    );
    expect(validateCloudProfileReview(request('CREATE', p), deps({ versionClassificationLifecycle: true }))).toEqual({ uid: 'uid-1', allowed: true });
  });
});
