// A worker pool's machine type, CPU architecture and volume type against its CloudProfile, as Gardener's
// ShootValidator admits them (gardener/gardener plugin/pkg/shoot/validator/admission.go,
// validateWorkerMachine, validateMachineType, validateMachineTypes, validateWorkerVolume,
// validateVolumeTypes, isUnavailableInAtleastOneZone). Called by validation.ts with the other
// CloudProfile checks. The volume size rule (validateVolumeSize, resource quantities) is not here.

import type { AvailabilityZone, CapabilityDefinition, MachineType, Region } from './cloudprofile-types.js';
import { type CatalogueIndex, VALID_ARCHITECTURES } from './cloudprofile.js';
import { type FieldError, goQuote, invalid, notSupported } from './field-errors.js';
import { workerArchitecture } from './machine-image-filters.js';
import type { Worker } from './shoot.js';

const ARCHITECTURE_CAPABILITY = 'architecture';

/** The architecture of a machine type (types_cloudprofile.go, MachineType.GetArchitecture): the one value of its
 *  `architecture` capability (a capability it does not name has every value of its definition), else its field. */
export function machineTypeArchitecture(machineType: MachineType, definitions: readonly CapabilityDefinition[]): string {
  const definition = definitions.find((d) => d.name === ARCHITECTURE_CAPABILITY);
  if (definition !== undefined) {
    const values = machineType.capabilities?.[ARCHITECTURE_CAPABILITY] ?? definition.values;
    if (values.length === 1 && values[0] !== undefined) return values[0];
  }
  return machineType.architecture ?? '';
}

/** isUnavailableInAtleastOneZone: whether a zone of the shoot's region that the pool uses lists the type. */
function unavailableInSomeZone(
  regions: readonly Region[],
  region: string,
  zones: readonly string[],
  typeName: string,
  unavailable: (zone: AvailabilityZone) => string[] | undefined,
): boolean {
  return regions
    .filter((r) => r.name === region)
    .some((r) => zones.some((zoneName) => (r.zones ?? []).some((z) => z.name === zoneName && (unavailable(z) ?? []).includes(typeName))));
}

/** Go's `%+v` of a []string: `[a b]`. */
function goList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

interface PoolContext {
  index: CatalogueIndex;
  worker: Worker;
  /** The pool in the old shoot; undefined on CREATE and for a new pool. */
  oldWorker: Worker | undefined;
  /** The shoot's `spec.region`. */
  region: string;
  /** `spec.provider.workers[i]`. */
  path: string;
}

/** What validateMachineTypes and validateVolumeTypes both gather over the profile's types: whether `type` is listed,
 *  the usable ones and the ones available in every zone of the pool. */
function availability(
  ctx: PoolContext,
  types: readonly { name: string; usable?: boolean }[],
  type: string,
  unavailable: (zone: AvailabilityZone) => string[] | undefined,
): { present: boolean; usable: Set<string>; inAllZones: Set<string> } {
  const regions = ctx.index.profile.spec.regions ?? [];
  const zones = ctx.worker.zones ?? [];
  const usable = new Set<string>();
  const inAllZones = new Set<string>();
  for (const t of types) {
    if (t.usable === true) usable.add(t.name);
    if (!unavailableInSomeZone(regions, ctx.region, zones, t.name, unavailable)) inAllZones.add(t.name);
  }
  return { present: types.some((t) => t.name === type), usable, inAllZones };
}

/** The detail both checks start with: `<kind> "<type>" is unusable, is unavailable in at least one zone, `. */
function unavailabilityDetail(kind: string, type: string, usable: boolean, inAllZones: boolean): string {
  let detail = `${kind} ${goQuote(type)} `;
  if (!usable) detail += 'is unusable, ';
  if (!inAllZones) detail += 'is unavailable in at least one zone, ';
  return detail;
}

/** validateWorkerMachine, its first two checks: an architecture Gardener knows, then the machine type (validateMachineType).
 *  The type is judged only when the request sets it or the architecture (a new pool: always). The pool's
 *  architecture is Gardener's default amd64 when absent (the ShootMutator's inference from the machine type is not done). */
export function validateMachineTypeAdmission(ctx: PoolContext): FieldError | undefined {
  const { index, worker, oldWorker, path } = ctx;
  const raw = worker.machine.architecture;
  if (raw !== undefined && !VALID_ARCHITECTURES.includes(raw)) return notSupported(`${path}.machine.architecture`, raw, VALID_ARCHITECTURES);

  const type = worker.machine.type ?? '';
  // Gardener's static validation rejects an empty type (must specify a machine type) before its admission plugins run.
  if (type === '') return undefined;
  const arch = workerArchitecture(worker);
  if (oldWorker !== undefined && type === (oldWorker.machine.type ?? '') && arch === workerArchitecture(oldWorker)) return undefined;

  const machineTypes = index.profile.spec.machineTypes ?? [];
  const { present, usable, inAllZones } = availability(ctx, machineTypes, type, (z) => z.unavailableMachineTypes);
  const withArch = new Set(machineTypes.filter((t) => machineTypeArchitecture(t, index.capabilities) === arch).map((t) => t.name));
  const supported = [...withArch].filter((n) => inAllZones.has(n) && usable.has(n)).sort();
  const typePath = `${path}.machine.type`;
  if (!present) return notSupported(typePath, type, supported);
  if (withArch.has(type) && inAllZones.has(type) && usable.has(type)) return undefined;
  let detail = unavailabilityDetail('machine type', type, usable.has(type), inAllZones.has(type));
  if (!withArch.has(type)) detail += `does not support CPU architecture ${goQuote(arch)}, `;
  return invalid(typePath, type, `${detail}supported types are ${goList(supported)}`);
}

/** validateWorkerVolume's type check (validateVolumeTypes): only a set `volume.type` that differs from the old pool's. */
export function validateVolumeTypeAdmission(ctx: PoolContext): FieldError | undefined {
  const { index, worker, oldWorker, path } = ctx;
  const type = worker.volume?.type;
  const oldType = oldWorker?.volume?.type;
  if (type === undefined || (oldType !== undefined && oldType === type)) return undefined;

  const { present, usable, inAllZones } = availability(ctx, index.profile.spec.volumeTypes ?? [], type, (z) => z.unavailableVolumeTypes);
  const supported = [...usable].filter((n) => inAllZones.has(n)).sort();
  const typePath = `${path}.volume.type`;
  if (!present) return notSupported(typePath, type, supported);
  if (inAllZones.has(type) && usable.has(type)) return undefined;
  const detail = unavailabilityDetail('volume type', type, usable.has(type), inAllZones.has(type));
  return invalid(typePath, type, `${detail}supported types are ${goList(supported)}`);
}
