// Absent, `null` and `{}` read as Gardener's Go types read them, through the webhooks as kube-apiserver
// calls them (mutate, apply the patch to the object as sent, validate the result) and through `plan`.
// Expected values come from examples/cloudprofile.yaml: 1.33.1 is its latest `supported` Kubernetes
// version (1.33.2 is a preview), gardenlinux 1592.4.0 its latest supported image.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateCloudProfileReview } from '../../../src/admission/cloudprofile-handlers.js';
import { decodeLikeGardener } from '../../../src/admission/gardener-decoding.js';
import { DEFAULT_SCHEDULER_USER, type AdmissionDeps } from '../../../src/admission/handler-deps.js';
import { applyJsonPatch } from '../../../src/admission/json-patch.js';
import { readCloudProfile, readShoot } from '../../../src/admission/object-shape.js';
import { patchOf, type AdmissionRequest, type AdmissionResponse } from '../../../src/admission/review.js';
import { mutateShootReview, validateShootReview } from '../../../src/admission/shoot-handlers.js';
import { runPlanCommand } from '../../../src/commands/plan.js';
import { prepareCloudProfile } from '../../../src/catalogue/prepare.js';
import { loadCloudProfileFiles } from '../../../src/catalogue/profile-files.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const profileFile = join(examples, 'cloudprofile.yaml');
const profiles = loadCloudProfileFiles([profileFile]);
const now = new Date('2026-03-01T12:00:00Z');
const deps: AdmissionDeps = { profiles, now: () => now, schedulerUsers: [DEFAULT_SCHEDULER_USER], expiryWarningDays: 30 };
const exampleShoot = (): Json => parseYaml(readFileSync(join(examples, 'shoots', 'no-window.yaml'), 'utf8')) as Json;
const exampleProfile = (): Json => parseYaml(readFileSync(profileFile, 'utf8')) as Json;

function request(operation: 'CREATE' | 'UPDATE', object: unknown, oldObject: unknown = null): AdmissionRequest {
  return {
    uid: 'uid-1',
    operation,
    object: object as AdmissionRequest['object'],
    oldObject: oldObject as AdmissionRequest['oldObject'],
    userInfo: { username: 'alice' },
  };
}

/** What kube-apiserver stores: the mutating patch applied to the object as sent, then validated. */
function admit(operation: 'CREATE' | 'UPDATE', object: Json, oldObject: Json | null = null): { stored?: Json; denial?: string } {
  const mutation = mutateShootReview(request(operation, object, oldObject), deps);
  if (!mutation.allowed) return { denial: message(mutation) };
  const stored = applyJsonPatch(object, patchOf(mutation));
  const validation = validateShootReview(request(operation, stored, oldObject), deps);
  return validation.allowed ? { stored } : { denial: message(validation) };
}

function message(response: AdmissionResponse): string {
  return String(response.status?.message);
}

const absent = (parent: Json, key: string) => delete parent[key];
const toNull = (parent: Json, key: string) => (parent[key] = null);
const empty = (parent: Json, key: string) => (parent[key] = {});
const forms: [string, (parent: Json, key: string) => unknown][] = [
  ['absent', absent],
  ['null', toNull],
  ['{}', empty],
];

describe('Shoot: the non-pointer structs of Gardener are there when absent or null', () => {
  it.each(forms)('spec.kubernetes %s: created with the latest supported version', (_, edit) => {
    const shoot = exampleShoot();
    edit(shoot.spec, 'kubernetes');
    const { stored, denial } = admit('CREATE', shoot);
    expect(denial).toBeUndefined();
    expect(stored?.spec.kubernetes).toEqual({ version: '1.33.1' });
  });

  it.each(forms)('spec.kubernetes.version %s inside an empty block: the latest supported version', (_, edit) => {
    const shoot = exampleShoot();
    shoot.spec.kubernetes = { kubeAPIServer: { enableAnonymousAuthentication: false } };
    if (edit !== empty) edit(shoot.spec.kubernetes, 'version');
    else shoot.spec.kubernetes.version = '';
    const { stored } = admit('CREATE', shoot);
    expect(stored?.spec.kubernetes).toEqual({ version: '1.33.1', kubeAPIServer: { enableAnonymousAuthentication: false } });
  });

  it.each(forms)('spec.provider %s: denied for the provider type Gardener requires', (_, edit) => {
    const shoot = exampleShoot();
    edit(shoot.spec, 'provider');
    expect(admit('CREATE', shoot).denial).toBe('spec.provider.type: Required value: must specify a provider type');
  });

  it.each(forms)('spec.provider.workers[0].machine %s: denied for the machine type Gardener requires', (_, edit) => {
    const shoot = exampleShoot();
    edit(shoot.spec.provider.workers[0], 'machine');
    expect(admit('CREATE', shoot).denial).toBe('spec.provider.workers[0].machine.type: Required value: must specify a machine type');
  });

  it('an UPDATE whose stored object has a null kubernetes block is read the same way, not denied for it', () => {
    const { stored } = admit('CREATE', exampleShoot());
    const old = { ...stored!, spec: { ...stored!.spec, kubernetes: null } };
    const next = structuredClone(stored!);
    next.spec.provider.workers[0].maximum = 3;
    const result = admit('UPDATE', next, old);
    expect(result.denial).toBeUndefined();
    expect(result.stored?.spec.kubernetes).toEqual({ version: '1.32.4' });
    expect(result.stored?.spec.provider.workers[0].maximum).toBe(3);
  });
});

describe('Shoot: a null where Gardener has a pointer, slice, map or scalar is absent', () => {
  const cases: [string, (s: Json) => void, (stored: Json) => void][] = [
    ['spec.maintenance', (s) => (s.spec.maintenance = null), (st) => {
      expect(st.spec.maintenance.autoUpdate).toEqual({ kubernetesVersion: true, machineImageVersion: true });
      expect(st.spec.maintenance.timeWindow.begin).toMatch(/^\d{2}0000\+0000$/);
    }],
    ['spec.maintenance.autoUpdate', (s) => (s.spec.maintenance = { autoUpdate: null }), (st) => {
      expect(st.spec.maintenance.autoUpdate).toEqual({ kubernetesVersion: true, machineImageVersion: true });
    }],
    ['spec.maintenance.timeWindow', (s) => (s.spec.maintenance = { timeWindow: null }), (st) => {
      expect(st.spec.maintenance.timeWindow.end).toMatch(/^\d{2}0000\+0000$/);
    }],
    ['spec.maintenance.confineSpecUpdateRollout', (s) => (s.spec.maintenance = { confineSpecUpdateRollout: null }), (st) => {
      expect(st.spec.maintenance).not.toHaveProperty('confineSpecUpdateRollout');
    }],
    ['spec.maintenance.autoUpdate.machineImageVersion', (s) => (s.spec.maintenance = { autoUpdate: { kubernetesVersion: false, machineImageVersion: null } }), (st) => {
      expect(st.spec.maintenance.autoUpdate).toEqual({ kubernetesVersion: false, machineImageVersion: true });
    }],
    ['spec.hibernation', (s) => (s.spec.hibernation = null), (st) => expect(st.spec).not.toHaveProperty('hibernation')],
    ['spec.cloudProfile (cloudProfileName is used)', (s) => (s.spec.cloudProfile = null), (st) => expect(st.spec).not.toHaveProperty('cloudProfile')],
    ['spec.provider.workers (a workerless shoot)', (s) => (s.spec.provider.workers = null), (st) => {
      expect(st.spec.provider).toEqual({ type: 'local' });
      expect(st.spec.maintenance.autoUpdate).toEqual({ kubernetesVersion: true });
    }],
    ['spec.provider.workers[0].kubernetes', (s) => (s.spec.provider.workers[0].kubernetes = null), (st) => {
      expect(st.spec.provider.workers[0]).not.toHaveProperty('kubernetes');
    }],
    ['spec.provider.workers[0].machine.image (the latest image is defaulted)', (s) => (s.spec.provider.workers[0].machine.image = null), (st) => {
      expect(st.spec.provider.workers[0].machine.image).toEqual({ name: 'gardenlinux', version: '1592.4.0' });
    }],
    ['metadata.annotations', (s) => (s.metadata.annotations = null), (st) => expect(st.metadata).not.toHaveProperty('annotations')],
    ['metadata.creationTimestamp (as kubectl sends it)', (s) => (s.metadata.creationTimestamp = null), (st) => expect(st.metadata).not.toHaveProperty('creationTimestamp')],
    ['status', (s) => (s.status = null), (st) => expect(st).not.toHaveProperty('status')],
  ];

  it.each(cases)('%s: null', (_, edit, check) => {
    const shoot = exampleShoot();
    edit(shoot);
    const { stored, denial } = admit('CREATE', shoot);
    expect(denial).toBeUndefined();
    check(stored!);
  });

  it('spec.maintenance.autoUpdate {} keeps Gardener meaning: kubernetesVersion false', () => {
    const shoot = exampleShoot();
    shoot.spec.maintenance = { autoUpdate: {} };
    expect(admit('CREATE', shoot).stored?.spec.maintenance.autoUpdate).toEqual({ machineImageVersion: true });
  });
});

describe('Shoot: what must be an object or a list in both worlds is still denied', () => {
  it.each<[string, (s: Json) => void, string]>([
    ['spec', (s) => (s.spec = null), 'spec: Invalid value: "null": must be of type object'],
    ['metadata', (s) => (s.metadata = null), 'metadata: Invalid value: "null": must be of type object'],
    ['a worker', (s) => (s.spec.provider.workers = [null]), 'spec.provider.workers[0]: Invalid value: "null": must be of type object'],
    ['spec.kubernetes as a list', (s) => (s.spec.kubernetes = []), 'spec.kubernetes: Invalid value: "array": must be of type object'],
    ['spec.provider as a string', (s) => (s.spec.provider = 'local'), 'spec.provider: Invalid value: "string": must be of type object'],
  ])('%s', (_, edit, expected) => {
    const shoot = exampleShoot();
    edit(shoot);
    expect(admit('CREATE', shoot).denial).toBe(expected);
  });
});

describe('decodeLikeGardener', () => {
  it('returns a copy and leaves the document as it was', () => {
    const shoot = exampleShoot();
    shoot.spec.kubernetes = null;
    const before = structuredClone(shoot);
    const read = readShoot(shoot);
    expect(read.ok && read.object.spec.kubernetes).toEqual({});
    expect(shoot).toEqual(before);
  });

  it('leaves fields the schema does not name alone, also their nulls', () => {
    const shoot = exampleShoot();
    shoot.spec.networking = { type: null };
    shoot.spec.monitoring = null;
    shoot.spec.addons = null; // named since the version-gated fields (a pointer in Gardener): dropped
    const read = readShoot(shoot);
    expect(read.ok && read.object.spec.networking).toEqual({ type: null });
    expect(read.ok && read.object.spec.monitoring).toBeNull();
    expect(read.ok && 'addons' in read.object.spec).toBe(false);
  });

  it('passes anything but an object through for the shape check', () => {
    for (const value of [null, 'x', 7, [1]]) expect(decodeLikeGardener(value, { properties: {} })).toBe(value);
  });
});

describe('CloudProfile: spec.kubernetes is a non-pointer struct, versions a slice', () => {
  it.each(forms)('spec.kubernetes %s: read as {}, then rejected for its missing versions', (_, edit) => {
    const profile = exampleProfile();
    edit(profile.spec, 'kubernetes');
    const read = readCloudProfile(profile);
    expect(read.ok && read.object.spec.kubernetes).toEqual({});
    const response = validateCloudProfileReview(request('CREATE', profile), deps);
    expect(response.allowed).toBe(false);
    expect(message(response)).toContain('spec.kubernetes.versions: Required value');
  });

  it('null machineImages and a null expirationDate are absent', () => {
    const profile = exampleProfile();
    profile.spec.kubernetes.versions[1].expirationDate = null;
    const prepared = prepareCloudProfile(profile);
    expect(prepared.ok).toBe(true);
    expect(validateCloudProfileReview(request('CREATE', profile), deps).allowed).toBe(true);
    profile.spec.machineImages = null;
    expect(readCloudProfile(profile).ok && (readCloudProfile(profile) as { object: Json }).object.spec).not.toHaveProperty('machineImages');
  });
});

describe('plan reads a Shoot file the same way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decoding-'));
  it.each(forms)('spec.kubernetes %s: planned as created, with the latest supported version', (name, edit) => {
    const shoot = exampleShoot();
    edit(shoot.spec, 'kubernetes');
    const file = join(dir, `kubernetes-${name === '{}' ? 'empty' : name}.yaml`);
    writeFileSync(file, toYaml(shoot));
    const out = JSON.parse(runPlanCommand({ shoot: file, cloudProfile: profileFile, now: now.toISOString(), output: 'json' })) as Json;
    expect(out.shoot.spec.kubernetes.version).toBe('1.33.1');
  });

  it('a null worker is named in one line', () => {
    const shoot = exampleShoot();
    shoot.spec.provider.workers[0] = null;
    const file = join(dir, 'null-worker.yaml');
    writeFileSync(file, toYaml(shoot));
    expect(() => runPlanCommand({ shoot: file, cloudProfile: profileFile, now: now.toISOString(), output: 'json' })).toThrow(
      `shoot file ${file}: spec.provider.workers[0]: Invalid value: "null": must be of type object`,
    );
  });
});
