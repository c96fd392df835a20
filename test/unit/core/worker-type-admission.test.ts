// Machine types, architectures and volume types at admission, through validateShoot. The profile and the
// cases follow gardener/gardener plugin/pkg/shoot/validator/admission_test.go ("machine type checks",
// "volume checks", the architecture cases); the UPDATE cases follow validateMachineTypes' and
// validateVolumeTypes' rule that an unchanged type is not judged again.
import { describe, expect, it } from 'vitest';
import type { CloudProfile, MachineType, Region, VolumeType } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import type { Shoot, ShootSpec, Worker } from '../../../src/core/shoot.js';
import { validateShoot } from '../../../src/core/validation.js';
import { machineTypeArchitecture } from '../../../src/core/worker-type-admission.js';
import { NOW, PROFILE, edit, firstWorker, shoot, spec } from './shoot-admission-fixture.js';

const MACHINE_TYPES: MachineType[] = [
  { name: 'machine-type-1', architecture: 'amd64', usable: true },
  { name: 'machine-type-old', architecture: 'amd64', usable: false },
  { name: 'machine-type-2', architecture: 'amd64', usable: true },
  { name: 'machine-type-3', architecture: 'arm64', usable: true },
];
const VOLUME_TYPES: VolumeType[] = [
  { name: 'volume-type-1', usable: true },
  { name: 'volume-type-2', usable: true },
];
const REGIONS: Region[] = [{ name: 'europe', zones: [{ name: 'europe-a' }] }];

function profile(change: (p: CloudProfile) => void = () => {}): CloudProfile {
  const p = structuredClone({ ...PROFILE, spec: { ...PROFILE.spec, machineTypes: MACHINE_TYPES, volumeTypes: VOLUME_TYPES, regions: REGIONS } });
  change(p);
  return p;
}

const base = edit(spec(), (s) => {
  s.region = 'europe';
  firstWorker(s).machine.type = 'machine-type-1';
  firstWorker(s).machine.architecture = 'amd64';
});

const setWorker = (change: Partial<Worker>, machine: Partial<Worker['machine']> = {}) => (s: ShootSpec) => {
  const w = firstWorker(s);
  Object.assign(w, change);
  w.machine = { ...w.machine, ...machine };
};

function run(next: Shoot, old: Shoot | undefined, p: CloudProfile): string[] {
  const index = indexCloudProfile(p);
  const result = validateShoot({ shoot: next, oldShoot: old, operation: old ? 'UPDATE' : 'CREATE', profiles: () => index, now: NOW });
  return result.errors.map(renderFieldError);
}

const zoneWithout = (machineTypes: string[], volumeTypes: string[] = []) => (p: CloudProfile) => {
  p.spec.regions = [{ name: 'europe', zones: [{ name: 'some-zone', unavailableMachineTypes: machineTypes, unavailableVolumeTypes: volumeTypes }] }];
};

describe('validateShoot: machine types (admission_test.go, "machine type checks")', () => {
  const TYPE = 'spec.provider.workers[0].machine.type';

  it.each<[string, ShootSpec, (p: CloudProfile) => void, string[]]>([
    ['a usable machine type', base, () => {}, []],
    [
      'a not usable machine type',
      edit(base, setWorker({}, { type: 'machine-type-old' })),
      () => {},
      [`${TYPE}: Invalid value: "machine-type-old": machine type "machine-type-old" is unusable, supported types are [machine-type-1 machine-type-2]`],
    ],
    [
      'a machine type not in the profile',
      edit(base, setWorker({}, { type: 'not-present-in-cloudprofile' })),
      () => {},
      [`${TYPE}: Unsupported value: "not-present-in-cloudprofile": supported values: "machine-type-1", "machine-type-2"`],
    ],
    [
      'a machine type unavailable in one of the pool zones',
      edit(base, setWorker({ zones: ['some-zone'] }, { type: 'unavailable-machine' })),
      (p) => {
        p.spec.machineTypes?.push({ name: 'unavailable-machine', architecture: 'amd64', usable: true });
        zoneWithout(['unavailable-machine'])(p);
      },
      [
        `${TYPE}: Invalid value: "unavailable-machine": machine type "unavailable-machine" is unavailable in at least one zone, supported types are [machine-type-1 machine-type-2]`,
      ],
    ],
    [
      'a zone of another region does not count',
      edit(base, setWorker({ zones: ['some-zone'] }, { type: 'machine-type-2' })),
      (p) => {
        p.spec.regions = [{ name: 'asia', zones: [{ name: 'some-zone', unavailableMachineTypes: ['machine-type-2'] }] }];
      },
      [],
    ],
    [
      'unusable, unavailable and of another architecture (no capabilities)',
      edit(base, setWorker({ zones: ['some-zone'] })),
      (p) => {
        p.spec.machineTypes = [
          { name: 'machine-type-1', usable: false, architecture: 'arm64' },
          { name: 'machine-type-2', usable: true, architecture: 'amd64' },
        ];
        zoneWithout(['machine-type-1'])(p);
      },
      [
        `${TYPE}: Invalid value: "machine-type-1": machine type "machine-type-1" is unusable, is unavailable in at least one zone, does not support CPU architecture "amd64", supported types are [machine-type-2]`,
      ],
    ],
    [
      'unusable, unavailable and of another architecture (capabilities)',
      edit(base, setWorker({ zones: ['some-zone'] })),
      (p) => {
        p.spec.machineCapabilities = [{ name: 'architecture', values: ['amd64', 'arm64'] }];
        p.spec.machineTypes = [
          { name: 'machine-type-1', usable: false, capabilities: { architecture: ['arm64'] } },
          { name: 'machine-type-2', usable: true, capabilities: { architecture: ['amd64'] } },
        ];
        zoneWithout(['machine-type-1'])(p);
      },
      [
        `${TYPE}: Invalid value: "machine-type-1": machine type "machine-type-1" is unusable, is unavailable in at least one zone, does not support CPU architecture "amd64", supported types are [machine-type-2]`,
      ],
    ],
    [
      'an architecture Gardener does not know',
      edit(base, setWorker({}, { architecture: 'foo' })),
      () => {},
      ['spec.provider.workers[0].machine.architecture: Unsupported value: "foo": supported values: "amd64", "arm64"'],
    ],
    [
      'a machine type without the pool architecture (its error alone, the image is not judged)',
      edit(base, setWorker({}, { architecture: 'arm64', image: { name: 'gardenlinux', version: '1500.0.0' } })),
      () => {},
      [`${TYPE}: Invalid value: "machine-type-1": machine type "machine-type-1" does not support CPU architecture "arm64", supported types are [machine-type-3]`],
    ],
    [
      'an absent architecture is amd64',
      edit(base, setWorker({}, { type: 'machine-type-3', architecture: undefined })),
      () => {},
      [`${TYPE}: Invalid value: "machine-type-3": machine type "machine-type-3" does not support CPU architecture "amd64", supported types are [machine-type-1 machine-type-2]`],
    ],
    [
      'an unusable type defaulted usable when the profile leaves it out',
      edit(base, setWorker({}, { type: 'plain' })),
      (p) => p.spec.machineTypes?.push({ name: 'plain' }),
      [],
    ],
  ])('CREATE: %s', (_name, next, change, expected) => {
    expect(run(shoot(next), undefined, profile(change))).toEqual(expected);
  });

  const removedType = profile((p) => {
    p.spec.machineTypes = p.spec.machineTypes?.filter((t) => t.name !== 'machine-type-1');
  });
  it.each<[string, ShootSpec, ShootSpec, string[]]>([
    ['an unchanged type that left the profile', edit(base, setWorker({ maximum: 5 })), base, []],
    [
      'a changed type',
      edit(base, setWorker({}, { type: 'machine-type-old' })),
      base,
      [`${TYPE}: Invalid value: "machine-type-old": machine type "machine-type-old" is unusable, supported types are [machine-type-2]`],
    ],
    [
      'a changed architecture judges the unchanged type again',
      edit(base, setWorker({}, { architecture: 'arm64', image: { name: 'gardenlinux', version: '1576.3.0' } })),
      base,
      [`${TYPE}: Unsupported value: "machine-type-1": supported values: "machine-type-3"`],
    ],
    [
      'a new pool with the type that left the profile',
      edit(base, (s) => s.provider.workers?.push({ ...firstWorker(s), name: 'b' })),
      base,
      ['spec.provider.workers[1].machine.type: Unsupported value: "machine-type-1": supported values: "machine-type-2"'],
    ],
  ])('UPDATE: %s', (_name, next, old, expected) => {
    expect(run(shoot(next), shoot(old), removedType)).toEqual(expected);
  });

  it('an absent machine type is left to the static check (Gardener validates statically first)', () => {
    expect(run(shoot(edit(base, setWorker({}, { type: undefined }))), undefined, profile())).toEqual([
      'spec.provider.workers[0].machine.type: Required value: must specify a machine type',
    ]);
  });

  it.each<[string, MachineType, string]>([
    ['the field without capabilities', { name: 't', architecture: 'arm64' }, 'arm64'],
    ['no field and no capabilities', { name: 't' }, ''],
  ])('machineTypeArchitecture: %s', (_name, t, expected) => {
    expect(machineTypeArchitecture(t, [])).toBe(expected);
  });

  it.each<[string, MachineType, string]>([
    ['the one capability value', { name: 't', architecture: 'amd64', capabilities: { architecture: ['arm64'] } }, 'arm64'],
    ['two values: the field', { name: 't', architecture: 'amd64', capabilities: { architecture: ['amd64', 'arm64'] } }, 'amd64'],
    ['not named: the definition values (two): the field', { name: 't', architecture: 'arm64' }, 'arm64'],
  ])('machineTypeArchitecture with capabilities: %s', (_name, t, expected) => {
    expect(machineTypeArchitecture(t, [{ name: 'architecture', values: ['amd64', 'arm64'] }])).toBe(expected);
  });
});

describe('validateShoot: volume types (admission_test.go, "volume checks")', () => {
  const VOLUME = 'spec.provider.workers[0].volume.type';
  const unusable = (name: string) => (p: CloudProfile) => {
    p.spec.volumeTypes = [
      { name, usable: false },
      { name: 'volume-type-2', usable: true },
    ];
  };

  it.each<[string, ShootSpec, (p: CloudProfile) => void, string[]]>([
    ['a listed volume type', edit(base, setWorker({ volume: { type: 'volume-type-1' } })), () => {}, []],
    [
      'an invalid volume type',
      edit(base, setWorker({ volume: { type: 'not-allowed' } })),
      () => {},
      [`${VOLUME}: Unsupported value: "not-allowed": supported values: "volume-type-1", "volume-type-2"`],
    ],
    [
      'a volume type unavailable in one of the pool zones',
      edit(base, setWorker({ volume: { type: 'unavailable-volume' }, zones: ['some-zone'] })),
      (p) => {
        p.spec.volumeTypes = [
          { name: 'unavailable-volume', usable: true },
          { name: 'volume-type-2', usable: true },
        ];
        zoneWithout([], ['unavailable-volume'])(p);
      },
      [`${VOLUME}: Invalid value: "unavailable-volume": volume type "unavailable-volume" is unavailable in at least one zone, supported types are [volume-type-2]`],
    ],
    [
      'an unusable volume type unavailable in one of the pool zones',
      edit(base, setWorker({ volume: { type: 'unavailable-volume' }, zones: ['some-zone'] })),
      (p) => {
        unusable('unavailable-volume')(p);
        zoneWithout([], ['unavailable-volume'])(p);
      },
      [
        `${VOLUME}: Invalid value: "unavailable-volume": volume type "unavailable-volume" is unusable, is unavailable in at least one zone, supported types are [volume-type-2]`,
      ],
    ],
    [
      'an unusable volume type',
      edit(base, setWorker({ volume: { type: 'volume-type-1' } })),
      unusable('volume-type-1'),
      [`${VOLUME}: Invalid value: "volume-type-1": volume type "volume-type-1" is unusable, supported types are [volume-type-2]`],
    ],
    ['a volume without a type', edit(base, setWorker({ volume: {} })), () => {}, []],
    [
      'a volume error is reported beside the machine type error',
      edit(base, setWorker({ volume: { type: 'not-allowed' } }, { type: 'machine-type-old' })),
      () => {},
      [
        'spec.provider.workers[0].machine.type: Invalid value: "machine-type-old": machine type "machine-type-old" is unusable, supported types are [machine-type-1 machine-type-2]',
        `${VOLUME}: Unsupported value: "not-allowed": supported values: "volume-type-1", "volume-type-2"`,
      ],
    ],
  ])('CREATE: %s', (_name, next, change, expected) => {
    expect(run(shoot(next), undefined, profile(change))).toEqual(expected);
  });

  const withVolume = (type: string) => edit(base, setWorker({ volume: { type } }));
  it.each<[string, ShootSpec, ShootSpec, string[]]>([
    ['an unchanged unusable volume type', withVolume('volume-type-1'), withVolume('volume-type-1'), []],
    [
      'a changed volume type',
      withVolume('volume-type-1'),
      withVolume('volume-type-2'),
      [`${VOLUME}: Invalid value: "volume-type-1": volume type "volume-type-1" is unusable, supported types are [volume-type-2]`],
    ],
    [
      'a type set on a volume that had none',
      withVolume('volume-type-1'),
      edit(base, setWorker({ volume: {} })),
      [`${VOLUME}: Invalid value: "volume-type-1": volume type "volume-type-1" is unusable, supported types are [volume-type-2]`],
    ],
  ])('UPDATE: %s', (_name, next, old, expected) => {
    expect(run(shoot(next), shoot(old), profile(unusable('volume-type-1')))).toEqual(expected);
  });
});
