// Which machine image versions fit a worker (gardener/gardener pkg/api/core/v1beta1/helper/cloudprofile.go,
// GetArchitecturesFromImageVersion and AreCapabilitiesCompatible; pkg/controllermanager/controller/shoot/
// maintenance/helper/helper.go, FilterMachineImageVersions): architectures and capabilities, and the
// per-worker filters maintenance applies, memoised in the catalogue index.

import type { CapabilityDefinition, MachineImageVersion } from './cloudprofile-types.js';
import { type CatalogueIndex, DEFAULT_ARCHITECTURE, DEFAULT_CRI_NAME } from './cloudprofile.js';
import { isInPlaceUpdateStrategy, type Worker } from './shoot.js';
import { type IndexedVersion, compareNormalizedVersions, parseVersionConstraint, parseVersionLenient } from './versions.js';

// ---- architecture and capabilities (v1beta1 helper/cloudprofile.go: GetArchitecturesFromImageVersion,
//      AreCapabilitiesCompatible) -------------------------------------------------------------------

const ARCHITECTURE_CAPABILITY = 'architecture';

/** Capabilities with Gardener's defaults: a defined capability that is missing means all its values. */
function withCapabilityDefaults(
  capabilities: Record<string, string[]> | undefined,
  definitions: CapabilityDefinition[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const def of definitions) {
    const given = capabilities?.[def.name];
    out.set(def.name, given && given.length > 0 ? given : def.values);
  }
  return out;
}

/** The CPU architectures an image version supports: from its capability flavors when the profile defines
 *  capabilities (no flavors → every value of the `architecture` definition), else its `architectures`. */
export function architecturesOfImageVersion(v: MachineImageVersion, definitions: CapabilityDefinition[]): string[] {
  if (definitions.length === 0) return v.architectures ?? [];
  const flavors = v.capabilityFlavors ?? [];
  if (flavors.length === 0) return definitions.find((d) => d.name === ARCHITECTURE_CAPABILITY)?.values ?? [];
  const archs = new Set<string>();
  for (const flavor of flavors) {
    for (const a of withCapabilityDefaults(flavor.capabilities, definitions).get(ARCHITECTURE_CAPABILITY) ?? []) archs.add(a);
  }
  return [...archs];
}

/** Whether a machine type's capabilities fit at least one flavor of an image version (no flavors or no
 *  definitions → compatible). */
export function areCapabilitiesCompatible(
  machineCapabilities: Record<string, string[]> | undefined,
  flavors: { capabilities: Record<string, string[]> }[] | undefined,
  definitions: CapabilityDefinition[],
): boolean {
  if (definitions.length === 0 || !flavors || flavors.length === 0) return true;
  const machine = withCapabilityDefaults(machineCapabilities, definitions);
  return flavors.some((flavor) => {
    const offered = withCapabilityDefaults(flavor.capabilities, definitions);
    return definitions.every((def) => {
      const want = machine.get(def.name) ?? [];
      const have = offered.get(def.name) ?? [];
      return want.some((value) => have.includes(value));
    });
  });
}

// ---- per-worker filters (maintenance/helper/helper.go, FilterMachineImageVersions) ------------

/** The CPU architecture of a worker (Gardener defaults it to amd64). */
export function workerArchitecture(worker: Worker): string {
  return worker.machine.architecture ?? DEFAULT_ARCHITECTURE;
}

const IMAGE_FILTER_MEMO_LIMIT = 10_000;

/** FilterMachineImageVersions' filters, in order: architecture, capabilities (only if defined), CRI (nil → containerd, + runtime types),
 *  kubeletVersionConstraint, in-place rule. The result is shared (memoised): callers must not modify it. */
export function filterMachineImageVersions(args: {
  index: CatalogueIndex;
  imageName: string;
  worker: Worker;
  kubeletVersion: string;
}): IndexedVersion<MachineImageVersion>[] {
  const { index, imageName, worker, kubeletVersion } = args;
  const entry = index.machineImages.get(imageName.toLowerCase());
  if (!entry) return [];
  const definitions = index.capabilities;
  const arch = workerArchitecture(worker);
  const machineType = index.machineTypes.get(worker.machine.type ?? '');
  const cri = worker.cri ?? { name: DEFAULT_CRI_NAME };
  const inPlace = isInPlaceUpdateStrategy(worker.updateStrategy);
  const currentImageVersion = worker.machine.image?.version;

  // The key holds only what can change the answer: the machine type only when capabilities are
  // defined, the kubelet only when the image constrains it, the current version only in place.
  const runtimes = (cri.containerRuntimes ?? []).map((r) => r.type).join(',');
  const typeKey = definitions.length > 0 ? worker.machine.type : '-';
  const kubeletKey = entry.hasKubeletConstraints ? kubeletVersion : '-';
  const current = inPlace ? (currentImageVersion ?? '') : '-';
  const memoKey = `${imageName.toLowerCase()}\u0000${arch}\u0000${typeKey}\u0000${cri.name}\u0000${runtimes}\u0000${kubeletKey}\u0000${current}`;
  const memo = index.imageFilterMemo.get(memoKey);
  if (memo) return memo;
  const kubelet = parseVersionLenient(kubeletVersion);
  const filtered = entry.versions
    .filter((v) => architecturesOfImageVersion(v.raw, definitions).includes(arch))
    .filter((v) => areCapabilitiesCompatible(machineType?.capabilities, v.raw.capabilityFlavors, definitions))
    .filter((v) => {
      const offered = (v.raw.cri ?? []).find((c) => c.name === cri.name);
      if (!offered) return false;
      return (cri.containerRuntimes ?? []).every((wanted) =>
        (offered.containerRuntimes ?? []).some((cr) => cr.type === wanted.type),
      );
    })
    .filter((v) => {
      if (v.raw.kubeletVersionConstraint === undefined) return true;
      const range = parseVersionConstraint(v.raw.kubeletVersionConstraint);
      return range !== undefined && kubelet !== undefined && range.test(kubelet);
    })
    .filter((v) => {
      if (!inPlace) return true;
      if (currentImageVersion === undefined || !v.raw.inPlaceUpdates?.supported) return false;
      if (v.version === currentImageVersion) return true;
      const min = v.raw.inPlaceUpdates.minVersionForUpdate;
      return min !== undefined && compareNormalizedVersions(min, currentImageVersion) <= 0;
    });
  // Bounded: request content chooses the keys, so a flood of odd workers must not grow it forever.
  if (index.imageFilterMemo.size >= IMAGE_FILTER_MEMO_LIMIT) index.imageFilterMemo.clear();
  index.imageFilterMemo.set(memoKey, filtered);
  return filtered;
}
