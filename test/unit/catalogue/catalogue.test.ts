// The catalogue: a CloudProfile shape-checked (a bad one gives a one-line reason), defaulted
// once (indexCloudProfile does it; the catalogue never defaults on its own) and indexed; the
// cache prepares a profile once per resourceVersion.
import { describe, expect, it, vi } from 'vitest';
import { CatalogueCache } from '../../../src/catalogue/catalogue-cache.js';
import { NamespacedCatalogueCache } from '../../../src/catalogue/namespaced.js';
import { prepareCloudProfile } from '../../../src/catalogue/prepare.js';
import * as cloudprofile from '../../../src/core/cloudprofile.js';

vi.mock('../../../src/core/cloudprofile.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/core/cloudprofile.js')>();
  return { ...original, indexCloudProfile: vi.fn(original.indexCloudProfile), defaultCloudProfile: vi.fn(original.defaultCloudProfile) };
});

function profile(name: string, resourceVersion?: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      type: 'local',
      kubernetes: { versions: [{ version: '1.33.1', classification: 'supported' }] },
      machineImages: [{ name: 'gardenlinux', versions: [{ version: '1592.4.0' }] }],
      machineTypes: [{ name: 'small', cpu: '2', gpu: '0', memory: '4Gi' }],
      regions: [{ name: 'local' }],
      ...spec,
    },
  };
}

const indexCalls = () => vi.mocked(cloudprofile.indexCloudProfile).mock.calls.length;
const defaultCalls = () => vi.mocked(cloudprofile.defaultCloudProfile).mock.calls.length;

describe('prepareCloudProfile', () => {
  it('defaults once, on a copy, and indexes the defaulted profile', () => {
    const raw = profile('local');
    const before = JSON.stringify(raw);
    const [index0, default0] = [indexCalls(), defaultCalls()];
    const prepared = prepareCloudProfile(raw);
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(indexCalls() - index0).toBe(1);
    expect(defaultCalls() - default0).toBe(0); // indexCloudProfile applies the defaults itself
    expect(prepared.profile).toBe(prepared.index.profile);
    const image = prepared.profile.spec.machineImages?.[0];
    expect(image?.updateStrategy).toBe('major');
    expect(image?.versions?.[0]?.cri).toEqual([{ name: 'containerd' }]);
    expect(image?.versions?.[0]?.architectures).toEqual(['amd64']);
    expect(prepared.profile.spec.machineTypes?.[0]?.architecture).toBe('amd64');
    expect(prepared.index.kubernetes.map((v) => v.version)).toEqual(['1.33.1']);
    expect(JSON.stringify(raw)).toBe(before);
  });

  it.each([
    { what: 'a wrong type', raw: profile('bad', '1', { kubernetes: { versions: 'all of them' } }), reason: /^spec\.kubernetes\.versions: Invalid value: "string": must be of type array/ },
    { what: 'no name', raw: profile(''), reason: /^metadata\.name: Required value$/ },
    { what: 'a __proto__ key', raw: JSON.parse('{"kind":"CloudProfile","metadata":{"name":"p"},"spec":{"__proto__":{}}}') as unknown, reason: /__proto__/ },
    { what: 'not an object', raw: 'CloudProfile', reason: /./ },
  ])('gives a one-line reason for $what', ({ raw, reason }) => {
    const prepared = prepareCloudProfile(raw);
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.reason).toMatch(reason);
    expect(prepared.reason).not.toContain('\n');
  });

  it('reads absent and null sections as Gardener does', () => {
    const prepared = prepareCloudProfile(profile('nulls', '1', { kubernetes: null, machineImages: null }));
    expect(prepared.ok).toBe(true);
    if (prepared.ok) expect(prepared.index.kubernetes).toEqual([]);
  });
});

describe('CatalogueCache', () => {
  it('prepares a profile once per resourceVersion: the same version is a hit, a new one a miss', () => {
    const cache = new CatalogueCache();
    const first = cache.prepare(profile('local', '5'));
    const calls = indexCalls();
    expect(cache.prepare(profile('local', '5'))).toBe(first);
    expect(indexCalls()).toBe(calls);
    expect(cache.get('local')).toBe(first.ok ? first.index : undefined);

    const second = cache.prepare(profile('local', '6', { kubernetes: { versions: [{ version: '1.34.0' }] } }));
    expect(indexCalls()).toBe(calls + 1);
    expect(second).not.toBe(first);
    expect(cache.get('local')?.kubernetes.map((v) => v.version)).toEqual(['1.34.0']);
  });

  it('prepares an object without a resourceVersion every time', () => {
    const cache = new CatalogueCache();
    const calls = indexCalls();
    cache.prepare(profile('local'));
    cache.prepare(profile('local'));
    expect(indexCalls()).toBe(calls + 2);
  });

  it('drops the index of a profile that became unusable, and reports it once per resourceVersion', () => {
    const unusable: string[] = [];
    const cache = new CatalogueCache({ onUnusable: (name, reason) => unusable.push(`${name}: ${reason}`) });
    cache.prepare(profile('local', '5'));
    cache.prepare(profile('other', '1'));
    const broken = profile('local', '6', { kubernetes: { versions: 'all of them' } });
    expect(cache.prepare(broken)).toMatchObject({ ok: false, name: 'local' });
    cache.prepare(broken);
    expect(unusable).toHaveLength(1);
    expect(unusable[0]).toMatch(/^local: spec\.kubernetes\.versions: /);
    expect(cache.get('local')).toBeUndefined();
    expect(cache.names()).toEqual(['other']);
    cache.prepare(profile('local', '7'));
    expect(cache.get('local')).toBeDefined();
  });

  it('forgets a deleted profile', () => {
    const cache = new CatalogueCache();
    cache.prepare(profile('local', '5'));
    cache.delete('local');
    expect(cache.get('local')).toBeUndefined();
    const calls = indexCalls();
    cache.prepare(profile('local', '5'));
    expect(indexCalls()).toBe(calls + 1);
  });
});

describe('NamespacedCatalogueCache', () => {
  function namespaced(resourceVersion: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      apiVersion: 'core.gardener.cloud/v1beta1',
      kind: 'NamespacedCloudProfile',
      metadata: { name: 'local-dev', namespace: 'garden-dev', resourceVersion },
      spec: { parent: { kind: 'CloudProfile', name: 'local' }, machineTypes: [{ name: 'large', cpu: '8' }], ...spec },
    };
  }

  function parents(): { cache: CatalogueCache; parentOf: (name: string) => ReturnType<CatalogueCache['get']> } {
    const cache = new CatalogueCache();
    return { cache, parentOf: (name) => cache.get(name) };
  }

  it('merges into the parent once per pair of resourceVersions; a change of either prepares anew', () => {
    const { cache, parentOf } = parents();
    cache.prepare(profile('local', '5'));
    const namespacedCache = new NamespacedCatalogueCache();
    const first = namespacedCache.get(namespaced('1'), parentOf);
    expect([...(first?.machineTypes.keys() ?? [])]).toEqual(['small', 'large']);
    expect(namespacedCache.get(namespaced('1'), parentOf)).toBe(first);
    // The parent changes: its new machine type shows in the merge at the next lookup.
    cache.prepare(profile('local', '6', { machineTypes: [{ name: 'small' }, { name: 'medium' }] }));
    expect([...(namespacedCache.get(namespaced('1'), parentOf)?.machineTypes.keys() ?? [])]).toEqual(['small', 'medium', 'large']);
    // The namespaced profile changes.
    const changed = namespacedCache.get(namespaced('2', { machineTypes: [{ name: 'huge' }] }), parentOf);
    expect([...(changed?.machineTypes.keys() ?? [])]).toEqual(['small', 'medium', 'huge']);
  });

  it('reports a namespaced profile without its parent, or one that is unusable, once per change', () => {
    const { cache, parentOf } = parents();
    const unusable: string[] = [];
    const namespacedCache = new NamespacedCatalogueCache({ onUnusable: (name, reason) => unusable.push(`${name}: ${reason}`) });
    expect(namespacedCache.get(namespaced('1'), parentOf)).toBeUndefined();
    expect(namespacedCache.get(namespaced('1'), parentOf)).toBeUndefined();
    expect(unusable).toEqual(['garden-dev/local-dev: parent CloudProfile "local" not found']);
    cache.prepare(profile('local', '5'));
    expect(namespacedCache.get(namespaced('1'), parentOf)).toBeDefined();
    expect(namespacedCache.get(namespaced('2', { machineTypes: 'large' }), parentOf)).toBeUndefined();
    expect(unusable[1]).toMatch(/^garden-dev\/local-dev: spec\.machineTypes: Invalid value: "string": must be of type array/);
  });
});
