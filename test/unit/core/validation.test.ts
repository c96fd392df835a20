import { describe, expect, it } from 'vitest';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import { OPERATION_ANNOTATION } from '../../../src/core/operations.js';
import { PENDING_SPEC_ANNOTATION } from '../../../src/core/rollout.js';
import type { Shoot, ShootSpec } from '../../../src/core/shoot.js';
import {
  renderSpecDiff,
  shootToValidate,
  validateShoot,
} from '../../../src/core/validation.js';
import { shootWarnings } from '../../../src/core/shoot-warnings.js';
import { INDEX, NOW, PROFILE, edit, firstWorker, shoot, spec, worker } from './shoot-admission-fixture.js';

type Op = 'CREATE' | 'UPDATE';

function run(next: Shoot, old?: Shoot, operation: Op = old ? 'UPDATE' : 'CREATE', index = INDEX) {
  const result = validateShoot({ shoot: next, oldShoot: old, operation, profiles: () => index, now: NOW });
  return { texts: result.errors.map(renderFieldError) };
}

const setVersion = (v: string) => (s: ShootSpec) => {
  s.kubernetes.version = v;
};
const setWorkerVersion = (v: string) => (s: ShootSpec) => {
  firstWorker(s).kubernetes = { version: v };
};
const setImage = (version: string, name = 'gardenlinux') => (s: ShootSpec) => {
  firstWorker(s).machine.image = { name, version };
};
const setWindow = (begin: string, end: string) => (s: ShootSpec) => {
  s.maintenance = { ...s.maintenance, timeWindow: { begin, end } };
};
const workerless = (s: ShootSpec) => {
  s.provider.workers = [];
};

const base = spec();

describe('validateShoot: static Shoot validation (Gardener pkg/api/core/validation/shoot.go)', () => {
  it.each<[string, Shoot, Shoot | undefined, string[]]>([
    ['a valid CREATE', shoot(base), undefined, []],
    ['a valid UPDATE without changes', shoot(base), shoot(base), []],
    // validateMaintenance: the window
    [
      'unparsable begin: the whole window is the bad value',
      shoot(edit(base, setWindow('foo', '040000+0000'))),
      undefined,
      [
        'spec.maintenance.timeWindow.begin/end: Invalid value: {"begin":"foo","end":"040000+0000"}: could not parse begin time: could not parse the value into the maintenanceTime format: parsing time "foo" as "150405-0700": cannot parse "foo" as "15"',
      ],
    ],
    [
      'empty end (present window is not defaulted)',
      shoot(edit(base, setWindow('030000+0000', ''))),
      undefined,
      [
        'spec.maintenance.timeWindow.begin/end: Invalid value: {"begin":"030000+0000","end":""}: could not parse end time: could not parse the value into the maintenanceTime format: parsing time "" as "150405-0700": cannot parse "" as "15"',
      ],
    ],
    [
      'longer than 6h (duration in nanoseconds)',
      shoot(edit(base, setWindow('010000+0000', '080000+0000'))),
      undefined,
      ['spec.maintenance.timeWindow: Invalid value: 25200000000000: time window must not be greater than 6h0m0s'],
    ],
    [
      'begin == end is 24h',
      shoot(edit(base, setWindow('010000+0000', '020000+0100'))),
      undefined,
      ['spec.maintenance.timeWindow: Invalid value: 86400000000000: time window must not be greater than 6h0m0s'],
    ],
    [
      'shorter than 30m',
      shoot(edit(base, setWindow('010000+0000', '012000+0000'))),
      undefined,
      ['spec.maintenance.timeWindow: Invalid value: 1200000000000: time window must not be smaller than 30m0s'],
    ],
    ['exactly 30m', shoot(edit(base, setWindow('010000+0000', '013000+0000'))), undefined, []],
    ['exactly 6h', shoot(edit(base, setWindow('010000+0000', '070000+0000'))), undefined, []],
    ['wrapping midnight', shoot(edit(base, setWindow('230000+0100', '010000+0100'))), undefined, []],
    // validateMaintenance: workerless shoots and credential rotation periods
    [
      'workerless with machineImageVersion',
      shoot(edit(base, workerless)),
      undefined,
      ['spec.maintenance.autoUpdate.machineImageVersion: Forbidden: this field should not be set for workerless Shoot clusters'],
    ],
    [
      'workerless without it',
      shoot(edit(base, (s) => {
        workerless(s);
        s.maintenance = { autoUpdate: { kubernetesVersion: true }, timeWindow: { begin: '030000+0000', end: '040000+0000' } };
      })),
      undefined,
      [],
    ],
    [
      'rotation periods',
      shoot(
        edit(base, (s) => {
          s.maintenance = {
            ...s.maintenance,
            autoRotation: {
              credentials: {
                observability: { rotationPeriod: '10m' },
                sshKeypair: { rotationPeriod: '0s' },
                etcdEncryptionKey: { rotationPeriod: '2161h' },
              },
            },
          };
        }),
      ),
      undefined,
      [
        'spec.maintenance.autoRotation.credentials.observability.rotationPeriod: Invalid value: "10m0s": value must be either 0 to disable rotation or between 30m and 90d',
        'spec.maintenance.autoRotation.credentials.etcdEncryptionKey.rotationPeriod: Invalid value: "2161h0m0s": value must be either 0 to disable rotation or between 30m and 90d',
      ],
    ],
    [
      'rotation periods at the bounds, an unparsable one, sshKeypair on a workerless shoot',
      shoot(
        edit(base, (s) => {
          workerless(s);
          s.maintenance = {
            timeWindow: { begin: '030000+0000', end: '040000+0000' },
            autoRotation: {
              credentials: {
                observability: { rotationPeriod: '30m' },
                sshKeypair: { rotationPeriod: '24h' },
                etcdEncryptionKey: { rotationPeriod: 'weekly' },
              },
            },
          };
        }),
      ),
      undefined,
      [
        'spec.maintenance.autoRotation.credentials.sshKeypair: Forbidden: this field should not be set for workerless Shoot clusters',
        'spec.maintenance.autoRotation.credentials.etcdEncryptionKey.rotationPeriod: Invalid value: "weekly": time: invalid duration "weekly"',
      ],
    ],
    // profile reference
    [
      'no cloud profile at all',
      shoot(edit(base, (s) => delete s.cloudProfileName)),
      undefined,
      ['spec.cloudProfile.name: Required value: must specify a cloud profile'],
    ],
    // worker vs control plane
    [
      'pool above the control plane',
      shoot(edit(edit(base, setVersion('1.31.5')), setWorkerVersion('1.32.3'))),
      undefined,
      ['spec.provider.workers[0].kubernetes.version: Forbidden: worker group kubernetes version must not be higher than control plane version'],
    ],
    ['pool three minors behind', shoot(edit(base, setWorkerVersion('1.29.8'))), undefined, []],
    [
      'pool four minors behind',
      shoot(edit(base, setWorkerVersion('1.28.4'))),
      undefined,
      ['spec.provider.workers[0].kubernetes.version: Forbidden: worker group kubernetes version must be at most three minor versions behind control plane version'],
    ],
    // ValidateKubernetesVersionUpdate and validateMachineImageVersionInPlaceUpdate: upgrades
    [
      'control plane downgrade',
      shoot(edit(base, setVersion('1.31.5'))),
      shoot(base),
      [
        'spec.kubernetes.version: Forbidden: kubernetes version downgrade is not supported',
        'spec.provider.workers[0].kubernetes.version: Forbidden: kubernetes version downgrade is not supported',
      ],
    ],
    [
      'control plane skipping a minor',
      shoot(edit(base, setVersion('1.32.3'))),
      shoot(edit(base, setVersion('1.30.9'))),
      ['spec.kubernetes.version: Forbidden: kubernetes version upgrade cannot skip a minor version'],
    ],
    [
      'pool downgrade',
      shoot(edit(base, setWorkerVersion('1.30.9'))),
      shoot(edit(base, setWorkerVersion('1.31.5'))),
      ['spec.provider.workers[0].kubernetes.version: Forbidden: kubernetes version downgrade is not supported'],
    ],
    [
      'rolling pool may skip minors',
      shoot(edit(base, setWorkerVersion('1.32.3'))),
      shoot(edit(base, setWorkerVersion('1.29.8'))),
      [],
    ],
    [
      'in-place pool may not skip minors',
      shoot(edit(edit(base, setWorkerVersion('1.32.3')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      shoot(edit(edit(base, setWorkerVersion('1.30.9')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      ['spec.provider.workers[0].kubernetes.version: Forbidden: kubernetes version upgrade cannot skip a minor version'],
    ],
    [
      'in-place pool image downgrade',
      shoot(edit(edit(base, setImage('1576.1.0')), (s) => (firstWorker(s).updateStrategy = 'ManualInPlaceUpdate'))),
      shoot(edit(base, (s) => (firstWorker(s).updateStrategy = 'ManualInPlaceUpdate'))),
      [
        'spec.provider.workers[0].machine.image.version: Forbidden: machine image version downgrade is not supported when the update strategy is AutoInPlaceUpdate or ManualInPlaceUpdate',
      ],
    ],
    ['rolling pool image downgrade', shoot(edit(base, setImage('1576.1.0'))), shoot(base), []],
    [
      'a new pool is compared with the old control plane version',
      shoot(edit(base, (s) => s.provider.workers?.push(worker('b', { kubernetes: { version: '1.31.5' } })))),
      shoot(edit(base, setVersion('1.32.3'))),
      [],
    ],
    // deletion
    [
      'spec change while deleting',
      shoot(edit(base, setVersion('1.32.3')), { deletionTimestamp: '2026-05-31T00:00:00Z' }),
      shoot(edit(base, setVersion('1.31.5')), { deletionTimestamp: '2026-05-31T00:00:00Z' }),
      ['spec: Forbidden: cannot update shoot spec if deletion timestamp is set. Requested changes: spec.kubernetes.version: 1.32.3 != 1.31.5'],
    ],
    [
      'metadata change while deleting',
      shoot(base, { deletionTimestamp: '2026-05-31T00:00:00Z', labels: { a: 'b' } }),
      shoot(base, { deletionTimestamp: '2026-05-31T00:00:00Z' }),
      [],
    ],
    // operations
    [
      'operation annotations are validated',
      shoot(base, { annotations: { [OPERATION_ANNOTATION]: 'maintain;reconcile' } }),
      shoot(base),
      ["metadata.annotations[gardener.cloud/operation]: Forbidden: operation 'maintain' is not permitted to be run in parallel with other operations"],
    ],
  ])('%s', (_name, next, old, expected) => {
    const result = run(next, old);
    expect(result.texts).toEqual(expected);
  });
});

describe('validateShoot: CloudProfile admission (403)', () => {
  const ALL_ACTIVE = '"1.33.0 (preview)", "1.32.3", "1.32.1", "1.31.5", "1.30.9", "1.29.8", "1.28.4"';
  const ALL_LISTED = '"1.33.0 (preview)", "1.32.3", "1.32.1", "1.31.5", "1.31.2", "1.30.9", "1.29.8", "1.28.4"';
  const VALID_AMD64 = '[gardenlinux:1500.0.0 gardenlinux:1576.1.0 gardenlinux:1576.3.0 gardenlinux:1592.0.0]';

  it.each<[string, Shoot, Shoot | undefined, string[]]>([
    ['explicit preview on CREATE', shoot(edit(edit(base, setVersion('1.33.0')), setWorkerVersion('1.32.3'))), undefined, []],
    [
      'expired control plane version on CREATE',
      shoot(edit(base, setVersion('1.31.2'))),
      undefined,
      [`spec.kubernetes.version: Unsupported value: "1.31.2": supported values: ${ALL_ACTIVE}`],
    ],
    ['expired control plane version on UPDATE (forced maintenance)', shoot(edit(base, setVersion('1.31.2'))), shoot(edit(base, setVersion('1.30.9'))), []],
    [
      'unlisted version on UPDATE lists every version, expired ones too',
      shoot(edit(base, setVersion('1.31.9'))),
      shoot(edit(base, setVersion('1.30.9'))),
      [`spec.kubernetes.version: Unsupported value: "1.31.9": supported values: ${ALL_LISTED}`],
    ],
    [
      'unlisted but unchanged version on UPDATE',
      shoot(edit(edit(base, setVersion('1.27.0')), (s) => (s.region = 'r2'))),
      shoot(edit(base, setVersion('1.27.0'))),
      [],
    ],
    [
      'expired version for a new pool on UPDATE',
      shoot(edit(base, (s) => s.provider.workers?.push(worker('b', { kubernetes: { version: '1.31.2' } })))),
      shoot(base),
      [`spec.provider.workers[1].kubernetes.version: Unsupported value: "1.31.2": supported values: ${ALL_ACTIVE}`],
    ],
    ['expired version for an existing pool on UPDATE', shoot(edit(base, setWorkerVersion('1.31.2'))), shoot(edit(base, setWorkerVersion('1.30.9'))), []],
    // machine images
    [
      'expired image on CREATE',
      shoot(edit(base, setImage('1443.10.0'))),
      undefined,
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"gardenlinux","version":"1443.10.0"}: machine image version 'gardenlinux:1443.10.0' is expired, supported machine image versions are: ${VALID_AMD64}`,
      ],
    ],
    ['expired but higher image for an existing pool on UPDATE', shoot(edit(base, setImage('1600.0.0'))), shoot(base), []],
    [
      'expired and lower image for an existing pool on UPDATE',
      shoot(edit(base, setImage('1443.10.0'))),
      shoot(base),
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"gardenlinux","version":"1443.10.0"}: machine image version 'gardenlinux:1443.10.0' is expired, supported machine image versions are: [gardenlinux:1500.0.0 gardenlinux:1576.1.0 gardenlinux:1576.3.0 gardenlinux:1592.0.0 gardenlinux:1600.0.0]`,
      ],
    ],
    [
      'image version not in the profile',
      shoot(edit(base, setImage('9.9.9'))),
      undefined,
      [
        'spec.provider.workers[0].machine.image.version: Unsupported value: "9.9.9": supported values: "gardenlinux:1500.0.0", "gardenlinux:1576.1.0", "gardenlinux:1576.3.0", "gardenlinux:1592.0.0"',
      ],
    ],
    [
      'image without architecture support',
      shoot(edit(base, (s) => (firstWorker(s).machine = { type: 'm1-arm', architecture: 'arm64', image: { name: 'ubuntu', version: '22.4.0' } }))),
      undefined,
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"ubuntu","version":"22.4.0"}: machine image version 'ubuntu:22.4.0' does not support CPU architecture "arm64", supported machine image versions are: []`,
      ],
    ],
    [
      'in-place pool on CREATE with an image without in-place support',
      shoot(edit(edit(base, setImage('1500.0.0')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      undefined,
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"gardenlinux","version":"1500.0.0"}: machine image version 'gardenlinux:1500.0.0' does not support in-place updates, supported machine image versions are: [gardenlinux:1576.1.0 gardenlinux:1576.3.0]`,
      ],
    ],
    [
      'in-place pool updated past its minimum version',
      shoot(edit(edit(base, setImage('1576.3.0')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      shoot(edit(edit(base, setImage('1500.0.0')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"gardenlinux","version":"1576.3.0"}: machine image version 'gardenlinux:1576.3.0' cannot be in-place updated from the current version, supported machine image versions are: [gardenlinux:1576.1.0]`,
      ],
    ],
    [
      'in-place pool updated within its minimum version',
      shoot(edit(edit(base, setImage('1576.3.0')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      shoot(edit(edit(base, setImage('1576.1.0')), (s) => (firstWorker(s).updateStrategy = 'AutoInPlaceUpdate'))),
      [],
    ],
    [
      'kubelet constraint of the image',
      shoot(edit(base, setImage('1500.0.0'))),
      undefined,
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"gardenlinux","version":"1500.0.0"}: machine image '1500.0.0' does not support kubelet version '1.32.3', supported kubelet versions by this machine image version: '< 1.32'`.replace(
          "image '1500.0.0'",
          "image 'gardenlinux@1500.0.0'",
        ),
      ],
    ],
    ['kubelet constraint met through the pool version', shoot(edit(edit(base, setImage('1500.0.0')), setWorkerVersion('1.31.5'))), undefined, []],
    [
      'kubelet constraint checked when the control plane moves',
      shoot(edit(edit(base, setImage('1500.0.0')), setVersion('1.32.3'))),
      shoot(edit(edit(base, setImage('1500.0.0')), setVersion('1.31.5'))),
      [
        `spec.provider.workers[0].machine.image: Invalid value: {"name":"gardenlinux","version":"1500.0.0"}: machine image 'gardenlinux@1500.0.0' does not support kubelet version '1.32.3', supported kubelet versions by this machine image version: '< 1.32'`,
      ],
    ],
    ['kubelet constraint not re-checked on unrelated updates', shoot(edit(base, setImage('1500.0.0')), { labels: { x: 'y' } }), shoot(edit(base, setImage('1500.0.0'))), []],
    [
      'admission errors come alone (static errors not reported)',
      shoot(edit(edit(base, setVersion('1.31.2')), setWindow('foo', 'bar'))),
      undefined,
      [`spec.kubernetes.version: Unsupported value: "1.31.2": supported values: ${ALL_ACTIVE}`],
    ],
  ])('%s', (_name, next, old, expected) => {
    const result = run(next, old);
    expect(result.texts).toEqual(expected);
  });

  it.each([
    ['spec.cloudProfileName', shoot(edit(base, (s) => (s.cloudProfileName = 'nope')))],
    ['spec.cloudProfile.name', shoot(edit(base, (s) => (s.cloudProfile = { kind: 'CloudProfile', name: 'nope' })))],
  ])('an unknown profile is Forbidden at %s', (field, s) => {
    const result = validateShoot({ shoot: s, operation: 'CREATE', profiles: () => undefined, now: NOW });
    expect(result.errors.map(renderFieldError)).toEqual([
      `${field}: Forbidden: could not find referenced cloud profile: cloudprofiles.core.gardener.cloud "nope" not found`,
    ]);
  });

  it('uses the index it is given (a profile with other versions)', () => {
    const other = indexCloudProfile({ ...PROFILE, spec: { ...PROFILE.spec, kubernetes: { versions: [{ version: '1.32.3' }] } } });
    expect(run(shoot(base), undefined, 'CREATE', other).texts).toEqual([]);
    expect(run(shoot(edit(base, setVersion('1.31.5'))), undefined, 'CREATE', other).texts).toEqual([
      'spec.kubernetes.version: Unsupported value: "1.31.5": supported values: "1.32.3"',
    ]);
  });
});

describe('validateShoot: held specs (pending-spec annotation)', () => {
  const held = (s: ShootSpec) => ({ [PENDING_SPEC_ANNOTATION]: JSON.stringify(s) });
  const live = edit(base, setVersion('1.31.5'));

  it.each<[string, Shoot, Shoot, string[]]>([
    ['a valid held change', shoot(live, { annotations: held(base) }), shoot(live), []],
    [
      'a held downgrade is rejected when submitted',
      shoot(live, { annotations: held(edit(base, setVersion('1.30.9'))) }),
      shoot(live),
      [
        'spec.kubernetes.version: Forbidden: kubernetes version downgrade is not supported',
        'spec.provider.workers[0].kubernetes.version: Forbidden: kubernetes version downgrade is not supported',
      ],
    ],
    [
      'a held unknown version is rejected when submitted',
      shoot(live, { annotations: held(edit(base, setVersion('1.31.9'))) }),
      shoot(live),
      [`spec.kubernetes.version: Unsupported value: "1.31.9": supported values: "1.33.0 (preview)", "1.32.3", "1.32.1", "1.31.5", "1.31.2", "1.30.9", "1.29.8", "1.28.4"`],
    ],
    [
      'an unchanged held spec is not re-validated on a metadata-only update',
      shoot(edit(base, setVersion('1.29.8')), { annotations: { ...held(base), x: 'y' } }),
      shoot(edit(base, setVersion('1.29.8')), { annotations: held(base) }),
      [],
    ],
    [
      'an unparsable annotation',
      shoot(live, { annotations: { [PENDING_SPEC_ANNOTATION]: '{' } }),
      shoot(live),
      [
        `metadata.annotations[maintenance.gardener.cloud/pending-spec]: Invalid value: "{": must be the JSON of a Shoot spec: ${(() => {
          try {
            JSON.parse('{');
          } catch (e) {
            return (e as Error).message;
          }
          return '';
        })()}`,
      ],
    ],
    [
      'a held change on a shoot in deletion',
      shoot(live, { annotations: held(base), deletionTimestamp: '2026-05-31T00:00:00Z' }),
      shoot(live, { deletionTimestamp: '2026-05-31T00:00:00Z' }),
      ['spec: Forbidden: cannot update shoot spec if deletion timestamp is set. Requested changes: spec.kubernetes.version: 1.32.3 != 1.31.5'],
    ],
  ])('%s', (_name, next, old, expected) => {
    const result = run(next, old);
    expect(result.texts).toEqual(expected);
  });

  it('shootToValidate applies a submitted held spec and names its profile', () => {
    const moved = edit(base, (s) => (s.cloudProfileName = 'other'));
    const r = shootToValidate({ shoot: shoot(live, { annotations: held(moved) }), oldShoot: shoot(live), operation: 'UPDATE' });
    expect(r.error).toBeUndefined();
    expect(r.shoot.spec).toEqual(moved);
    expect(r.shoot.metadata.annotations).toBeUndefined();
  });
});

describe('renderSpecDiff', () => {
  it('lists at most ten changes, new value first', () => {
    const from = spec();
    const to = edit(from, (s) => {
      s.kubernetes.version = '1.33.0';
      delete s.region;
      s.provider.workers = Array.from({ length: 12 }, (_, i) => worker(`w${i}`));
    });
    const text = renderSpecDiff(to, from);
    expect(text.startsWith('spec.kubernetes.version: 1.33.0 != 1.32.3,spec.provider.workers[0].name: w0 != a,')).toBe(true);
    expect(text).toContain(`spec.provider.workers[1]: ${JSON.stringify(worker('w1')).slice(0, 57)}... != <none>,`);
    expect(text.endsWith(',... 4 more')).toBe(true);
  });
});

describe('shootWarnings', () => {
  // The shoot the validating webhook warns about: validateShoot's (a submitted held spec applied).
  const warn = (next: Shoot, old?: Shoot, days = 30) =>
    shootWarnings({ shoot: shootToValidate({ shoot: next, oldShoot: old, operation: old ? 'UPDATE' : 'CREATE' }).shoot, oldShoot: old, index: INDEX, now: NOW, expiryWarningDays: days });

  it.each<[string, Shoot, Shoot | undefined, number, string[]]>([
    ['nothing to say', shoot(base), undefined, 30, []],
    [
      'deprecated control plane version expiring soon',
      shoot(edit(base, setVersion('1.32.1'))),
      undefined,
      30,
      // Deprecated and expiring: the forced update's time fits only without "is deprecated and".
      ['Kubernetes version 1.32.1 of the control plane expires on 2026-06-20T00:00:00Z, forced update from 2026-06-20T03:00:00Z'],
    ],
    [
      'the forced update in the first occurrence of the schedule after the expiry (2026-06-20 is a Saturday)',
      shoot(edit(base, setVersion('1.32.1')), { annotations: { 'maintenance.gardener.cloud/days': 'Mon,Tue' } }),
      undefined,
      30,
      ['Kubernetes version 1.32.1 of the control plane expires on 2026-06-20T00:00:00Z, forced update from 2026-06-22T03:00:00Z'],
    ],
    ['expiry beyond the warning horizon', shoot(edit(base, setVersion('1.32.1'))), undefined, 7, ['Kubernetes version 1.32.1 of the control plane is deprecated']],
    ['unchanged control plane version is not nagged', shoot(edit(base, setVersion('1.32.1')), { labels: { a: 'b' } }), shoot(edit(base, setVersion('1.32.1'))), 30, []],
    ['expired version accepted on update', shoot(edit(base, setVersion('1.31.2'))), shoot(edit(base, setVersion('1.30.9'))), 30, ['Kubernetes version 1.31.2 of the control plane is expired']],
    [
      'pool version and image',
      shoot(edit(edit(base, setWorkerVersion('1.30.9')), setImage('1576.1.0'))),
      undefined,
      30,
      [
        'Kubernetes version 1.30.9 of worker pool "a" is deprecated',
        // The shortest form (minutes, no "on") to stay within MAX_WARNING_LENGTH.
        'machine image gardenlinux 1576.1.0 of worker pool "a" expires 2026-06-10T00:00Z, forced update from 2026-06-10T03:00Z',
      ],
    ],
    ['unchanged pool is not nagged', shoot(edit(base, setImage('1576.1.0')), { labels: { a: 'b' } }), shoot(edit(base, setImage('1576.1.0'))), 30, []],
    [
      'a held change is warned about',
      shoot(base, { annotations: { [PENDING_SPEC_ANNOTATION]: JSON.stringify(edit(base, setVersion('1.32.1'))) } }),
      shoot(base),
      3,
      ['Kubernetes version 1.32.1 of the control plane is deprecated'],
    ],
  ])('%s', (_name, next, old, days, expected) => {
    const warnings = warn(next, old, days);
    expect(warnings).toEqual(expected);
    for (const w of warnings) expect(w.length).toBeLessThan(120);
  });

  it('clips long texts below 120 characters', () => {
    const long = 'x'.repeat(100);
    const profile = indexCloudProfile({
      ...PROFILE,
      spec: { ...PROFILE.spec, machineImages: [{ name: long, versions: [{ version: '1.0.0', classification: 'deprecated' }] }] },
    });
    const s = shoot(edit(base, setImage('1.0.0', long)));
    const warnings = shootWarnings({ shoot: s, index: profile, now: NOW, expiryWarningDays: 30 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toHaveLength(119);
    expect(warnings[0]?.endsWith('...')).toBe(true);
  });

  it('is empty without a profile', () => {
    expect(shootWarnings({ shoot: shoot(edit(base, setVersion('1.32.1'))), index: undefined, now: NOW, expiryWarningDays: 30 })).toEqual([]);
  });
});
