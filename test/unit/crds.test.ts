// Static checks of the CRDs in manifests/crds (the e2e suite checks that kube-apiserver accepts
// and serves them): names and scope, and the schema rules this project relies on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  pattern?: string;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

interface Crd {
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; singular: string; shortNames?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

const dir = join(import.meta.dirname, '..', '..', 'manifests', 'crds');
const load = (file: string) => parse(readFileSync(join(dir, file), 'utf8')) as Crd;
const shoot = load('shoots.core.gardener.cloud.yaml');
const cloudProfile = load('cloudprofiles.core.gardener.cloud.yaml');
const namespacedCloudProfile = load('namespacedcloudprofiles.core.gardener.cloud.yaml');
const maintenanceExclusion = load('maintenanceexclusions.maintenance.shoot-maintenance.io.yaml');
const clusterMaintenanceExclusion = load('clustermaintenanceexclusions.maintenance.shoot-maintenance.io.yaml');

function at(schema: Schema, path: string): Schema | undefined {
  let node: Schema | undefined = schema;
  for (const part of path.split('.')) node = part === '[]' ? node?.items : node?.properties?.[part];
  return node;
}

/** Every node of a schema with its path. */
function nodes(schema: Schema, path = ''): [string, Schema][] {
  const children: [string, Schema][] = [
    ...Object.entries(schema.properties ?? {}).map(([k, v]): [string, Schema] => [`${path}.${k}`, v]),
    ...(schema.items ? [[`${path}[]`, schema.items] as [string, Schema]] : []),
    ...(schema.additionalProperties ? [[`${path}{}`, schema.additionalProperties] as [string, Schema]] : []),
  ];
  return [[path, schema], ...children.flatMap(([p, s]) => nodes(s, p))];
}

describe('CRDs', () => {
  it.each([
    ['shoots.core.gardener.cloud.yaml', shoot, 'Shoot', 'shoots', 'Namespaced', true],
    ['cloudprofiles.core.gardener.cloud.yaml', cloudProfile, 'CloudProfile', 'cloudprofiles', 'Cluster', false],
    ['namespacedcloudprofiles.core.gardener.cloud.yaml', namespacedCloudProfile, 'NamespacedCloudProfile', 'namespacedcloudprofiles', 'Namespaced', true],
  ])('%s: %s core.gardener.cloud/v1beta1', (_file, crd, kind, plural, scope, statusSubresource) => {
    expect(crd.metadata.name).toBe(`${plural}.core.gardener.cloud`);
    expect(crd.spec.group).toBe('core.gardener.cloud');
    expect(crd.spec.names.kind).toBe(kind);
    expect(crd.spec.names.plural).toBe(plural);
    expect(crd.spec.scope).toBe(scope);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1beta1', true, true]]);
    expect(crd.spec.versions[0]?.subresources?.status !== undefined).toBe(statusSubresource);
  });

  it.each([
    ['shoot', shoot],
    ['cloudprofile', cloudProfile],
    ['namespacedcloudprofile', namespacedCloudProfile],
    ['maintenanceexclusion', maintenanceExclusion],
    ['clustermaintenanceexclusion', clusterMaintenanceExclusion],
  ])('%s: structural (every node typed), nothing required, no patterns', (_name, crd) => {
    const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as Schema;
    for (const [path, node] of nodes(schema)) {
      expect(node.type, `type of ${path || '<root>'}`).toBeDefined();
      expect(node.required, `required at ${path}`).toBeUndefined();
      expect(node.pattern, `pattern at ${path}`).toBeUndefined();
    }
  });

  it.each([
    ['spec.kubernetes.version', 'string'],
    ['spec.maintenance.timeWindow.begin', 'string'],
    ['spec.maintenance.timeWindow.end', 'string'],
    ['spec.maintenance.confineSpecUpdateRollout', 'boolean'],
    ['spec.maintenance.autoUpdate.kubernetesVersion', 'boolean'],
    ['spec.maintenance.autoUpdate.machineImageVersion', 'boolean'],
    ['spec.hibernation.enabled', 'boolean'],
    ['spec.provider.workers.[].machine.image.version', 'string'],
    ['spec.provider.workers.[].kubernetes.version', 'string'],
    ['spec.provider.workers.[].maximum', 'integer'],
    ['status.lastMaintenance.state', 'string'],
    ['status.lastMaintenance.triggeredTime', 'string'],
  ])('Shoot field %s is a %s', (path, type) => {
    expect(at(shoot.spec.versions[0]?.schema.openAPIV3Schema as Schema, path)?.type).toBe(type);
  });

  it.each([
    ['spec.kubernetes.versions.[].version', 'string'],
    ['spec.kubernetes.versions.[].expirationDate', 'string'],
    ['spec.machineImages.[].versions.[].version', 'string'],
    ['spec.machineImages.[].updateStrategy', 'string'],
  ])('CloudProfile field %s is a %s', (path, type) => {
    expect(at(cloudProfile.spec.versions[0]?.schema.openAPIV3Schema as Schema, path)?.type).toBe(type);
  });

  // The overrides are read with the same types as the parent's fields (the schema reuses them).
  it.each([
    'spec.kubernetes',
    'spec.machineImages',
    'spec.machineTypes',
  ])('NamespacedCloudProfile %s has the CloudProfile schema', (path) => {
    const ncp = at(namespacedCloudProfile.spec.versions[0]?.schema.openAPIV3Schema as Schema, path);
    expect(ncp).toBeDefined();
    expect(ncp).toEqual(at(cloudProfile.spec.versions[0]?.schema.openAPIV3Schema as Schema, path));
  });

  it('NamespacedCloudProfile columns: parent name and kind, as gardener-apiserver shows them', () => {
    const columns = Object.fromEntries((namespacedCloudProfile.spec.versions[0]?.additionalPrinterColumns ?? []).map((c) => [c.name, c.jsonPath]));
    expect(columns).toEqual({ 'Parent Name': '.spec.parent.name', 'Parent Kind': '.spec.parent.kind', Age: '.metadata.creationTimestamp' });
  });

  it.each([
    ['maintenanceexclusions', maintenanceExclusion, 'MaintenanceExclusion', 'Namespaced'],
    ['clustermaintenanceexclusions', clusterMaintenanceExclusion, 'ClusterMaintenanceExclusion', 'Cluster'],
  ])('%s: %s maintenance.shoot-maintenance.io/v1alpha1, the freeze fields typed, its columns', (plural, crd, kind, scope) => {
    expect(crd.metadata.name).toBe(`${plural}.maintenance.shoot-maintenance.io`);
    expect(crd.spec.group).toBe('maintenance.shoot-maintenance.io');
    expect([crd.spec.names.kind, crd.spec.names.plural, crd.spec.scope]).toEqual([kind, plural, scope]);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as Schema;
    for (const path of ['spec.start', 'spec.end', 'spec.scope', 'spec.reason', 'spec.shootSelector.matchExpressions.[].key']) {
      expect(at(schema, path)?.type, path).toBe('string');
    }
    // Declared on both kinds so that the webhook sees (and, on the namespaced kind, refuses) it instead of it being pruned.
    expect(at(schema, 'spec.namespaceSelector.matchLabels')?.additionalProperties?.type).toBe('string');
    const columns = Object.fromEntries((crd.spec.versions[0]?.additionalPrinterColumns ?? []).map((c) => [c.name, c.jsonPath]));
    expect(columns).toEqual({ Scope: '.spec.scope', Start: '.spec.start', End: '.spec.end', Reason: '.spec.reason', Age: '.metadata.creationTimestamp' });
  });

  it.each([
    ['spec', true],
    ['spec.provider', true],
    ['spec.maintenance', true],
    ['status', true],
    ['spec.maintenance.timeWindow', undefined],
  ])('Shoot %s keeps unknown fields: %s', (path, preserve) => {
    expect(at(shoot.spec.versions[0]?.schema.openAPIV3Schema as Schema, path)?.['x-kubernetes-preserve-unknown-fields']).toBe(preserve);
  });

  it('shows version, window and last maintenance state as columns', () => {
    const columns = Object.fromEntries((shoot.spec.versions[0]?.additionalPrinterColumns ?? []).map((c) => [c.name, c.jsonPath]));
    expect(columns).toMatchObject({
      Kubernetes: '.spec.kubernetes.version',
      'Window Begin': '.spec.maintenance.timeWindow.begin',
      'Window End': '.spec.maintenance.timeWindow.end',
      Maintenance: '.status.lastMaintenance.state',
      Age: '.metadata.creationTimestamp',
    });
  });

  it('lists the five CRDs in the kustomization', () => {
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual([
      'cloudprofiles.core.gardener.cloud.yaml',
      'clustermaintenanceexclusions.maintenance.shoot-maintenance.io.yaml',
      'maintenanceexclusions.maintenance.shoot-maintenance.io.yaml',
      'namespacedcloudprofiles.core.gardener.cloud.yaml',
      'shoots.core.gardener.cloud.yaml',
    ]);
  });
});
