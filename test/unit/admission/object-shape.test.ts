import { describe, expect, it } from 'vitest';
import { cloudProfileShapeErrors, shootShapeErrors } from '../../../src/admission/object-shape.js';
import { renderFieldErrors } from '../../../src/core/field-errors.js';

const shoot = () => ({
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'Shoot',
  metadata: { name: 'dev', namespace: 'garden-dev', annotations: { 'gardener.cloud/operation': 'reconcile' } },
  spec: {
    cloudProfileName: 'local',
    kubernetes: { version: '1.32.4' },
    provider: { type: 'local', workers: [{ name: 'w', machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1.0.0' } } }] },
    maintenance: { timeWindow: { begin: '220000+0000', end: '230000+0000' }, confineSpecUpdateRollout: true },
  },
});

const profile = () => ({
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'CloudProfile',
  metadata: { name: 'local' },
  spec: {
    kubernetes: { versions: [{ version: '1.32.4' }] },
    machineImages: [{ name: 'gardenlinux', versions: [{ version: '1.0.0', cri: [{ name: 'containerd' }] }] }],
    machineTypes: [{ name: 'm5.large', cpu: '2' }],
  },
});

type Mutation = (o: ReturnType<typeof shoot>) => void;
type ProfileMutation = (o: ReturnType<typeof profile>) => void;

describe('shootShapeErrors', () => {
  it('accepts a well-typed shoot, including unknown fields', () => {
    const s = shoot() as ReturnType<typeof shoot> & { spec: { networking?: unknown } };
    s.spec.networking = { type: 'calico', nodes: 7 };
    expect(shootShapeErrors(s)).toEqual([]);
  });

  it.each<[string, Mutation, string]>([
    [
      'version of the wrong type',
      (s) => ((s.spec.kubernetes as Record<string, unknown>).version = 131),
      'spec.kubernetes.version: Invalid value: "integer": must be of type string',
    ],
    [
      'workers not an array',
      (s) => ((s.spec.provider as Record<string, unknown>).workers = { name: 'w' }),
      'spec.provider.workers: Invalid value: "object": must be of type array',
    ],
    [
      'a worker that is not an object',
      (s) => ((s.spec.provider.workers as unknown[])[0] = 'w'),
      'spec.provider.workers[0]: Invalid value: "string": must be of type object',
    ],
    [
      'a worker name of the wrong type',
      (s) => ((s.spec.provider.workers[0] as Record<string, unknown>).name = ['w']),
      'spec.provider.workers[0].name: Invalid value: "array": must be of type string',
    ],
    [
      'an annotation value that is not a string',
      (s) => ((s.metadata.annotations as Record<string, unknown>)['gardener.cloud/operation'] = true),
      'metadata.annotations[gardener.cloud/operation]: Invalid value: "boolean": must be of type string',
    ],
    [
      'confineSpecUpdateRollout as a string',
      (s) => ((s.spec.maintenance as Record<string, unknown>).confineSpecUpdateRollout = 'true'),
      'spec.maintenance.confineSpecUpdateRollout: Invalid value: "string": must be of type boolean',
    ],
    [
      'time window begin as a number',
      (s) => ((s.spec.maintenance.timeWindow as Record<string, unknown>).begin = 220000),
      'spec.maintenance.timeWindow.begin: Invalid value: "integer": must be of type string',
    ],
    [
      'a rotation period as a number (what automatic credential rotation reads)',
      (s) => ((s.spec.maintenance as Record<string, unknown>).autoRotation = { credentials: { observability: { rotationPeriod: 24 } } }),
      'spec.maintenance.autoRotation.credentials.observability.rotationPeriod: Invalid value: "integer": must be of type string',
    ],
    [
      'sshAccess.enabled as a string',
      (s) => ((s.spec.provider as Record<string, unknown>).workersSettings = { sshAccess: { enabled: 'false' } }),
      'spec.provider.workersSettings.sshAccess.enabled: Invalid value: "string": must be of type boolean',
    ],
    [
      'a rotation lastCompletionTime as a number',
      (s) => ((s as Record<string, unknown>).status = { credentials: { rotation: { sshKeypair: { lastCompletionTime: 1700000000 } } } }),
      'status.credentials.rotation.sshKeypair.lastCompletionTime: Invalid value: "integer": must be of type string',
    ],
    [
      'a rotation phase as an object',
      (s) => ((s as Record<string, unknown>).status = { credentials: { rotation: { etcdEncryptionKey: { phase: {} } } } }),
      'status.credentials.rotation.etcdEncryptionKey.phase: Invalid value: "object": must be of type string',
    ],
    [
      'a podEvictionTimeout as a number (what the version-gated field rules read)',
      (s) => ((s.spec.kubernetes as Record<string, unknown>).kubeControllerManager = { podEvictionTimeout: 120 }),
      'spec.kubernetes.kubeControllerManager.podEvictionTimeout: Invalid value: "integer": must be of type string',
    ],
    [
      'DNS providers not a list',
      (s) => ((s.spec as Record<string, unknown>).dns = { providers: { secretName: 'a' } }),
      'spec.dns.providers: Invalid value: "object": must be of type array',
    ],
    [
      'addons as a list',
      (s) => ((s.spec as Record<string, unknown>).addons = []),
      'spec.addons: Invalid value: "array": must be of type object',
    ],
    [
      'a volume type of the wrong type',
      (s) => ((s.spec.provider.workers[0] as Record<string, unknown>).volume = { type: 1 }),
      'spec.provider.workers[0].volume.type: Invalid value: "integer": must be of type string',
    ],
    [
      'zones not a list of strings',
      (s) => ((s.spec.provider.workers[0] as Record<string, unknown>).zones = [1]),
      'spec.provider.workers[0].zones[0]: Invalid value: "integer": must be of type string',
    ],
    [
      'a feature gate that is not a boolean',
      (s) => ((s.spec.kubernetes as Record<string, unknown>).kubeAPIServer = { featureGates: { APIServerIdentity: 'true' } }),
      'spec.kubernetes.kubeAPIServer.featureGates.APIServerIdentity: Invalid value: "string": must be of type boolean',
    ],
    [
      "a pool kubelet's feature gates as a list",
      (s) => ((s.spec.provider.workers[0] as Record<string, unknown>).kubernetes = { kubelet: { featureGates: ['A'] } }),
      'spec.provider.workers[0].kubernetes.kubelet.featureGates: Invalid value: "array": must be of type object',
    ],
    [
      'an admission plugin name of the wrong type',
      (s) => ((s.spec.kubernetes as Record<string, unknown>).kubeAPIServer = { admissionPlugins: [{ name: 1 }] }),
      'spec.kubernetes.kubeAPIServer.admissionPlugins[0].name: Invalid value: "integer": must be of type string',
    ],
    ['spec.kubernetes as a list', (s) => ((s.spec as Record<string, unknown>).kubernetes = []), 'spec.kubernetes: Invalid value: "array": must be of type object'],
    ['spec null', (s) => ((s as Record<string, unknown>).spec = null), 'spec: Invalid value: "null": must be of type object'],
  ])('reports %s', (_name, mutate, expected) => {
    const s = shoot();
    mutate(s);
    expect(renderFieldErrors(shootShapeErrors(s))).toBe(expected);
  });

  it('reports at most ten errors for a long wrong list', () => {
    const s = shoot();
    (s.spec.provider as Record<string, unknown>).workers = Array.from({ length: 1000 }, () => 1);
    expect(shootShapeErrors(s)).toHaveLength(10);
  });
});

describe('cloudProfileShapeErrors', () => {
  it('accepts a well-typed profile', () => {
    expect(cloudProfileShapeErrors(profile())).toEqual([]);
  });

  it.each<[string, ProfileMutation, string]>([
    [
      'versions not an array',
      (p) => ((p.spec.kubernetes as Record<string, unknown>).versions = '1.32.4'),
      'spec.kubernetes.versions: Invalid value: "string": must be of type array',
    ],
    [
      'a version without version',
      (p) => ((p.spec.kubernetes.versions as unknown[])[0] = { classification: 'supported' }),
      'spec.kubernetes.versions[0].version: Required value',
    ],
    [
      'an expirationDate of the wrong type',
      (p) => ((p.spec.kubernetes.versions[0] as Record<string, unknown>).expirationDate = 5),
      'spec.kubernetes.versions[0].expirationDate: Invalid value: "integer": must be of type string',
    ],
    [
      'an image name of the wrong type',
      (p) => ((p.spec.machineImages[0] as Record<string, unknown>).name = {}),
      'spec.machineImages[0].name: Invalid value: "object": must be of type string',
    ],
    [
      'a machine type usable as a string',
      (p) => ((p.spec.machineTypes[0] as Record<string, unknown>).usable = 'false'),
      'spec.machineTypes[0].usable: Invalid value: "string": must be of type boolean',
    ],
    [
      'unavailable machine types of a zone not a list',
      (p) => ((p.spec as Record<string, unknown>).regions = [{ name: 'r', zones: [{ name: 'z', unavailableMachineTypes: 'm' }] }]),
      'spec.regions[0].zones[0].unavailableMachineTypes: Invalid value: "string": must be of type array',
    ],
    [
      'a volume type without name',
      (p) => ((p.spec as Record<string, unknown>).volumeTypes = [{ usable: true }]),
      'spec.volumeTypes[0].name: Required value',
    ],
  ])('reports %s', (_name, mutate, expected) => {
    const p = profile();
    mutate(p);
    expect(renderFieldErrors(cloudProfileShapeErrors(p))).toBe(expected);
  });
});
