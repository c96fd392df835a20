import { describe, expect, it } from 'vitest';
import { defaultShoot, windowSeedName } from '../../../src/core/defaulting.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import type { Shoot, ShootSpec } from '../../../src/core/shoot.js';
import { INDEX, NOW, edit, firstWorker, shoot, spec, worker } from './shoot-admission-fixture.js';

type Op = 'CREATE' | 'UPDATE';

function run(next: Shoot, old?: Shoot, operation: Op = old ? 'UPDATE' : 'CREATE', withIndex = true) {
  return defaultShoot({ shoot: next, oldShoot: old, operation, index: withIndex ? INDEX : undefined, now: NOW });
}

/** A spec with no maintenance section at all. */
const bare = (extra: Partial<ShootSpec> = {}): ShootSpec => {
  const s = spec(extra);
  delete s.maintenance;
  return s;
};

// Pinned, not computed with defaultTimeWindow: FNV-1a 32 of "garden-dev/crazy-botany" mod 23 = 6
// (worked out apart from the code under test), so a change of the hash fails here.
const DEFAULT_WINDOW = { begin: '060000+0000', end: '070000+0000' };

describe('defaultShoot: maintenance', () => {
  it.each<[string, ShootSpec, Op, ShootSpec['maintenance']]>([
    [
      'no maintenance at all, with workers',
      bare(),
      'CREATE',
      { autoUpdate: { kubernetesVersion: true, machineImageVersion: true }, timeWindow: DEFAULT_WINDOW },
    ],
    [
      'no maintenance, workerless: machineImageVersion stays unset',
      bare({ provider: { type: 'local', workers: [] } }),
      'CREATE',
      { autoUpdate: { kubernetesVersion: true }, timeWindow: DEFAULT_WINDOW },
    ],
    [
      'autoUpdate given: kubernetesVersion is not added, machineImageVersion is',
      edit(bare(), (s) => (s.maintenance = { autoUpdate: { kubernetesVersion: false } })),
      'CREATE',
      { autoUpdate: { kubernetesVersion: false, machineImageVersion: true }, timeWindow: DEFAULT_WINDOW },
    ],
    [
      'explicit values are kept',
      edit(bare(), (s) => (s.maintenance = { autoUpdate: { kubernetesVersion: true, machineImageVersion: false }, timeWindow: { begin: '100000+0200', end: '110000+0200' }, confineSpecUpdateRollout: true })),
      'CREATE',
      { autoUpdate: { kubernetesVersion: true, machineImageVersion: false }, timeWindow: { begin: '100000+0200', end: '110000+0200' }, confineSpecUpdateRollout: true },
    ],
    [
      'window removed on UPDATE gets the default',
      edit(spec(), (s) => delete s.maintenance?.timeWindow),
      'UPDATE',
      { autoUpdate: { kubernetesVersion: true, machineImageVersion: true }, timeWindow: DEFAULT_WINDOW },
    ],
    [
      'window with an empty end is left for validation',
      edit(spec(), (s) => (s.maintenance!.timeWindow = { begin: '030000+0000', end: '' })),
      'CREATE',
      { autoUpdate: { kubernetesVersion: true, machineImageVersion: true }, timeWindow: { begin: '030000+0000', end: '' } },
    ],
    [
      'window with an empty begin is left for validation',
      edit(spec(), (s) => (s.maintenance!.timeWindow = { end: '040000+0000' })),
      'UPDATE',
      { autoUpdate: { kubernetesVersion: true, machineImageVersion: true }, timeWindow: { end: '040000+0000' } },
    ],
  ])('%s', (_name, s, operation, expected) => {
    const result = run(shoot(s), operation === 'UPDATE' ? shoot(spec()) : undefined, operation);
    expect(result.errors).toEqual([]);
    expect(result.shoot.spec.maintenance).toEqual(expected);
  });

  it('the default window is a one-hour window on the full hour, stable per namespace/name', () => {
    const a = run(shoot(bare())).shoot.spec.maintenance?.timeWindow;
    const b = run(shoot(bare())).shoot.spec.maintenance?.timeWindow;
    expect(a).toEqual(b);
    expect(a?.begin).toMatch(/^(0\d|1\d|2[0-2])0000\+0000$/);
    const other = run(shoot(bare(), { name: 'other-name-7' })).shoot.spec.maintenance?.timeWindow;
    expect(other).toEqual({ begin: '180000+0000', end: '190000+0000' });
  });

  it.each([
    [{ name: 'n1', generateName: 'g-' }, 'n1', '220000+0000', '230000+0000'],
    [{ name: '', generateName: 'g-', uid: 'u-1' }, 'g-u-1', '180000+0000', '190000+0000'],
    [{ name: undefined, generateName: 'g-' }, 'g-', '000000+0000', '010000+0000'],
  ])('hashes the window from %j as %s', (meta, seed, begin, end) => {
    const s = shoot(bare(), meta);
    expect(windowSeedName(s)).toBe(seed);
    expect(run(s).shoot.spec.maintenance?.timeWindow).toEqual({ begin, end });
  });
});

describe('defaultShoot: Kubernetes versions', () => {
  const withVersion = (v: string) => edit(spec(), (s) => (s.kubernetes.version = v));
  it.each([
    ['1.32', '1.32.3'],
    ['1.31', '1.31.5'],
    ['1', '1.32.3'],
    ['', '1.32.3'],
    ['1.30.9', '1.30.9'],
    ['1.2.3', '1.2.3'],
  ])('control plane %j → %s (supported only; preview and deprecated skipped)', (input, expected) => {
    const result = run(shoot(withVersion(input)));
    expect(result.errors).toEqual([]);
    expect(result.shoot.spec.kubernetes.version).toBe(expected);
  });

  it.each([
    ['1.x', 'spec.kubernetes.version: Invalid value: "x": must be a semantic version'],
    [
      '1.27',
      "spec.kubernetes.version: Invalid value: \"1.27\": couldn't find a suitable version for 1.27. Suitable versions have a non-expired expiration date and are no 'preview' versions. 'Preview'-classified versions have to be selected explicitly",
    ],
    [
      '1.30',
      "spec.kubernetes.version: Invalid value: \"1.30\": couldn't find a suitable version for 1.30. Suitable versions have a non-expired expiration date and are no 'preview' versions. 'Preview'-classified versions have to be selected explicitly",
    ],
  ])('control plane %j fails', (input, text) => {
    const result = run(shoot(withVersion(input)));
    expect(result.errors.map(renderFieldError)).toEqual([text]);
    expect(result.shoot.spec.kubernetes.version).toBe(input);
  });

  it('completes pool versions and leaves `kubernetes: {}` alone', () => {
    const s = edit(spec(), (x) => {
      x.provider.workers = [worker('a', { kubernetes: { version: '1.31' } }), worker('b', { kubernetes: {} }), worker('c')];
    });
    const result = run(shoot(s));
    expect(result.errors).toEqual([]);
    expect(result.shoot.spec.provider.workers?.map((w) => w.kubernetes)).toEqual([{ version: '1.31.5' }, {}, undefined]);
  });

  it('reports a pool version error at the pool', () => {
    const s = edit(spec(), (x) => (firstWorker(x).kubernetes = { version: 'v1.x' }));
    expect(run(shoot(s)).errors.map(renderFieldError)).toEqual([
      'spec.provider.workers[0].kubernetes.version: Invalid value: "x": must be a semantic version',
    ]);
  });
});

describe('defaultShoot: machine images', () => {
  const withImage = (image: { name?: string; version?: string } | null, extra = {}) =>
    edit(spec(), (s) => (s.provider.workers = [worker('a', extra, image)]));

  it.each<[string, ShootSpec, Shoot | undefined, { name?: string; version?: string }]>([
    // Quirk of Gardener's getDefaultMachineImage (plugin/pkg/shoot/mutator/admission.go): expired versions count as
    // non-deprecated here (validation then rejects them on CREATE).
    ['no image: first image, highest non-preview non-deprecated', withImage(null), undefined, { name: 'gardenlinux', version: '1600.0.0' }],
    ['name only', withImage({ name: 'ubuntu' }), undefined, { name: 'ubuntu', version: '22.4.0' }],
    ['major prefix, non-deprecated preferred', withImage({ name: 'gardenlinux', version: '1576' }), undefined, { name: 'gardenlinux', version: '1576.3.0' }],
    ['major.minor prefix', withImage({ name: 'gardenlinux', version: '1576.1' }), undefined, { name: 'gardenlinux', version: '1576.1.0' }],
    ['full version kept', withImage({ name: 'gardenlinux', version: '1500.0.0' }), undefined, { name: 'gardenlinux', version: '1500.0.0' }],
    [
      'existing pool without image keeps the old one',
      withImage(null),
      shoot(withImage({ name: 'gardenlinux', version: '1500.0.0' })),
      { name: 'gardenlinux', version: '1500.0.0' },
    ],
    [
      'existing pool with the same name and no version keeps the old one',
      withImage({ name: 'gardenlinux' }),
      shoot(withImage({ name: 'gardenlinux', version: '1500.0.0' })),
      { name: 'gardenlinux', version: '1500.0.0' },
    ],
    [
      'existing pool switching image gets the latest of the new one',
      withImage({ name: 'ubuntu' }),
      shoot(withImage({ name: 'gardenlinux', version: '1500.0.0' })),
      { name: 'ubuntu', version: '22.4.0' },
    ],
  ])('%s', (_name, s, old, expected) => {
    const result = run(shoot(s), old);
    expect(result.errors).toEqual([]);
    expect(firstWorker(result.shoot.spec).machine.image).toEqual(expected);
  });

  it('keeps other image fields of the request', () => {
    const s = edit(withImage({ name: 'gardenlinux' }), (x) => {
      firstWorker(x).machine.image = { name: 'gardenlinux', version: '1576', providerConfig: { a: 1 } } as never;
    });
    expect(firstWorker(run(shoot(s)).shoot.spec).machine.image).toEqual({ name: 'gardenlinux', version: '1576.3.0', providerConfig: { a: 1 } });
  });

  it.each([
    ['unknown image', withImage({ name: 'nope' }), 'spec.provider.workers[0].machine.image: Invalid value: "nope": image is not supported'],
    [
      'no image for the architecture',
      edit(withImage({ name: 'ubuntu', version: '22' }), (s) => (firstWorker(s).machine.architecture = 'arm64')),
      'spec.provider.workers[0].machine.image: Invalid value: "ubuntu@22": failed to determine latest machine image from cloud profile: unable to determine latest expirable version',
    ],
  ])('%s', (_name, s, text) => {
    expect(run(shoot(s)).errors.map(renderFieldError)).toEqual([text]);
  });
});

describe('defaultShoot: when version work is skipped', () => {
  it('without a CloudProfile (unknown profile), only maintenance is defaulted', () => {
    const s = edit(bare(), (x) => {
      x.kubernetes.version = '1.32';
      x.provider.workers = [worker('a', {}, null)];
    });
    const result = run(shoot(s), undefined, 'CREATE', false);
    expect(result.errors).toEqual([]);
    expect(result.shoot.spec.kubernetes.version).toBe('1.32');
    expect(firstWorker(result.shoot.spec).machine.image).toBeUndefined();
    expect(result.shoot.spec.maintenance?.timeWindow).toEqual(DEFAULT_WINDOW);
  });

  it('for a shoot in deletion', () => {
    const s = edit(spec(), (x) => (x.kubernetes.version = '1.32'));
    const result = run(shoot(s, { deletionTimestamp: '2026-05-31T00:00:00Z' }), shoot(spec()));
    expect(result.shoot.spec.kubernetes.version).toBe('1.32');
  });

  it('never mutates its input', () => {
    const input = shoot(bare({ kubernetes: { version: '1.31' } }));
    const before = structuredClone(input);
    const result = run(input);
    expect(input).toEqual(before);
    expect(result.shoot.spec.kubernetes.version).toBe('1.31.5');
  });
});
