// plan(): what one maintenance run performed at `now` changes on a Shoot, and the texts it
// reports (gardener/gardener pkg/controllermanager/controller/shoot/maintenance/reconciler.go,
// (*Reconciler).reconcile, and helper/helper.go; docs/design.md, "Differences from Gardener" 1, 2, 3 and 6).
// Pure: the scheduler and the `plan` command both call it; only the scheduler writes the result
// (the command's text: src/commands/plan-text.ts).
//
// Order of work, as Gardener's reconciler: held spec becomes the base spec ("Differences from Gardener" 1),
// machine images per worker (against the pre-maintenance control-plane version), control-plane
// Kubernetes version, the automatic credential rotations due (credential-rotation.ts), the
// minor-boundary clean-ups, worker-pool Kubernetes versions (capped at the new control-plane
// version), unsupported feature gates and admission plugins removed, operation annotations (with
// the rotations started), tasks, then status.lastMaintenance and Events.
import type { CatalogueIndex } from './cloudprofile.js';
import { type CredentialRotation, credentialRotationsDue, type RotationOperation } from './credential-rotation.js';
import { goQuote } from './field-errors.js';
import { filterMachineImageVersions } from './machine-image-filters.js';
import {
  buildMaintenanceEvents,
  buildMaintenanceMessages,
  DESCRIPTION_MAINTENANCE_SUCCEEDED,
  EVENT_REASON_DEFERRED,
  type ItemResult,
  type MaintenanceResults,
  type PlannedEvent,
} from './maintenance-messages.js';
import {
  hasOperation,
  MAINTENANCE_OPERATION_ANNOTATION,
  NEEDS_RETRY_ANNOTATION,
  OP_MAINTAIN,
  OP_RECONCILE,
  OP_RETRY,
  OP_ROTATE_ETCD_ENCRYPTION_KEY,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_START,
  OPERATION_ANNOTATION,
  OPERATION_SEPARATOR,
  parseOperations,
  TASKS_ANNOTATION,
} from './operations.js';
import { applyMinorBoundaryCleanups } from './minor-boundary-cleanups.js';
import { type ExclusionScope, exclusionName, type Restriction, scopeEffects } from './maintenance-exclusion.js';
import { removeUnsupportedGatesAndPlugins } from './unsupported-feature-gates.js';
import { jsonEqual } from './json.js';
import { PENDING_SPEC_ANNOTATION, withPendingSpecApplied } from './rollout.js';
import { type LastMaintenance, type Shoot, type Worker, annotationsOf, deepCopy, workersOf } from './shoot.js';
import {
  ALWAYS_WINDOW,
  effectiveShootWindow,
  formatMaintenanceTime,
  isoSeconds,
  parseTimeWindow,
} from './timewindow.js';
import { maintainedInCurrentOccurrence, scheduleOf, type Weekday } from './maintenance-schedule.js';
import {
  compareVersions,
  decideKubernetesVersionUpdate,
  decideMachineImageTarget,
  findExactVersion,
  higherVersionFailureText,
  isExpired,
  MACHINE_IMAGE_UPDATE_REASON,
  normalizeVersion,
  parseVersionLenient,
  type VersionUpdate,
} from './versions.js';

export interface MaintenanceOptions {
  /** docs/design.md, "Differences from Gardener" 6: treat a version dropped from the CloudProfile as expired (Gardener's behaviour). */
  forceUpdateVanishedVersions: boolean;
  /** Add the `restartControlPlanePods` task (Gardener's enableShootControlPlaneRestarter, default true). */
  restartControlPlanePods?: boolean;
  /** Add the `restartCoreAddons` task (Gardener's enableShootCoreAddonRestarter, default false). */
  restartCoreAddons?: boolean;
}

export type KubernetesChange =
  | { from: string; to: string; reason: string; forced: boolean }
  | { from: string; reason: string; error: string };

export type MachineImageChange =
  | { name: string; from: string; to: string; reason: string; forced: boolean }
  | { name: string; from: string; reason: string; error: string };

/** A credential rotation the run starts, or one it cannot start (the ETCD key while a rotation is in progress). */
export type CredentialRotationChange =
  | { operation: RotationOperation; description: string; reason: string }
  | { operation: RotationOperation; reason: string; error: string };

export interface WorkerPlan {
  name: string;
  kubernetes: KubernetesChange | null;
  machineImage: MachineImageChange | null;
}

/**
 * Why a run at now is due or not, as the scheduler decides it (src/scheduler/due-time.ts, dueTimeOf;
 * docs/design.md, "Differences from Gardener" 3): `maintain` asked for; now inside the effective
 * window and not yet maintained in this occurrence; outside it; or inside but already maintained
 * in this occurrence (status.lastMaintenance.triggeredTime), which the scheduler skips.
 */
export type DueReason = 'maintain-requested' | 'in-window' | 'outside-window' | 'maintained-in-this-occurrence' | 'excluded';

/** What a maintenance freeze held back from this run (maintenance-exclusion.ts, scopeEffects). */
export interface DeferredChange {
  /** `control plane`, `worker pool "a"`, `credentials`, `held spec`. */
  component: string;
  /** What would have changed: `Kubernetes version "1.32.9" to "1.33.1"`, `machine image "gardenlinux" "1.0" to "1.1"`, … */
  change: string;
  forced: boolean;
}

/** The freeze restricting a run, as plan reports it. */
export interface PlanRestriction {
  scope: ExclusionScope;
  /** `MaintenanceExclusion "team-a/xmas"` (exclusionName). */
  exclusion: string;
  reason: string | null;
  end: string;
}

export interface MaintenancePlan {
  /** begin/end/effectiveEnd: the window as written, in UTC (Gardener's `HHMMSS+0000`); `inWindow` and
   *  `nextRun` follow the shoot's schedule (maintenance-schedule.ts: time zone and days annotations). */
  window: { begin: string; end: string; effectiveEnd: string; inWindow: boolean; timeZone: string | null; days: Weekday[] | null };
  /** The freeze covering the shoot at now (ignored when `maintain` is asked for), or null. */
  restriction: PlanRestriction | null;
  /** Changes the freeze held back: with `NoUpgrades` everything an unrestricted run would have done. */
  deferred: DeferredChange[];
  /** Whether the scheduler would run now: `dueReason` is `maintain-requested` or `in-window`. */
  due: boolean;
  dueReason: DueReason;
  /** The next occurrence: UTC ISO instants, and the same in local time (the zone's offset then, else the window's). */
  nextRun: { earliest: string; latest: string; localEarliest: string; localLatest: string };
  kubernetes: KubernetesChange | null;
  workers: WorkerPlan[];
  credentialRotations: CredentialRotationChange[];
  operations: string[];
  lastMaintenance: { description: string; state: 'Succeeded' | 'Failed'; failureReason?: string };
  /** The Shoot as the run would write it (status.lastMaintenance included, triggered at now). */
  shoot: Shoot;
  // ---- not part of the `plan -o json` contract ----
  /** The run's status.lastMaintenance.triggeredTime: now in whole seconds (also names its Events). */
  triggeredTime: string;
  /** With `maintained-in-this-occurrence`: the triggeredTime of that earlier run in this occurrence. */
  maintainedAt?: string;
  /** Events the run emits after a successful update. */
  events: PlannedEvent[];
  /** A held spec (pending-spec annotation) rolled out. */
  heldSpecReleased: boolean;
  /** `gardener.cloud/operation` before and after the run (undefined = absent). */
  operationAnnotation: { from: string | undefined; to: string | undefined };
  /** Tasks newly added to `shoot.gardener.cloud/tasks`. */
  tasksAdded: string[];
  /** Gardener's requirePatch: an operation text, any version or credential rotation result (successful or not), or a held spec. */
  requiresPatch: boolean;
  /** A problem that stopped the image maintenance of every worker (machine type/image unknown). */
  machineImageError?: string;
}

/** Reason shown on every worker's machineImage when image maintenance stopped for all workers. */
export const MACHINE_IMAGE_MAINTENANCE_STOPPED = 'Machine image maintenance stopped for all worker pools';

/** Tasks every maintenance run asks the reconciler for (reconciler.go, maintainTasks), in Gardener's order. */
export const MAINTENANCE_TASKS = [
  'deployInfrastructure',
  'deployDNSRecordInternal',
  'deployDNSRecordExternal',
  'deployDNSRecordIngress',
] as const;
export const TASK_RESTART_CONTROL_PLANE_PODS = 'restartControlPlanePods';
export const TASK_RESTART_CORE_ADDONS = 'restartCoreAddons';

// ---- machine images (reconciler.go: maintainMachineImages, shouldMachineImageVersionBeUpdated) -----

type ImageOutcome = { pool: string; change: MachineImageChange; result: ItemResult };

/** The first machine type / image problem of any worker (it stops image maintenance of all workers). */
function machineImagePrerequisiteError(workers: Worker[], index: CatalogueIndex): string | undefined {
  for (const worker of workers) {
    if (!index.machineTypes.has(worker.machine.type ?? '')) {
      // reconciler.go, maintainMachineImages: %q of the type and the pool name (an absent type is "").
      return `machine type ${goQuote(worker.machine.type ?? '')} of worker ${goQuote(worker.name)} does not exist in cloudprofile`;
    }
    const name = worker.machine.image?.name ?? '';
    if (!index.machineImages.has(name.toLowerCase())) {
      return `failure while determining the default machine image in the CloudProfile: no machineImage with name ${goQuote(name)} (specified in shoot) could be found in the cloudProfile ${goQuote(index.profile.metadata.name)}`;
    }
  }
  return undefined;
}

function maintainMachineImage(
  worker: Worker,
  index: CatalogueIndex,
  controlPlaneVersion: string,
  autoUpdate: boolean,
  now: Date,
  options: MaintenanceOptions,
): ImageOutcome | undefined {
  const image = worker.machine.image;
  const imageName = image?.name ?? '';
  const current = image?.version;
  const entry = index.machineImages.get(imageName.toLowerCase());
  if (!entry || current === undefined) return undefined;
  const strategy = entry.strategy;
  const kubeletVersion = worker.kubernetes?.version ?? controlPlaneVersion;
  const versions = filterMachineImageVersions({ index, imageName, worker, kubeletVersion });

  let reason: string;
  let forced: boolean;
  const inFiltered = findExactVersion(versions, current);
  if (!inFiltered) {
    reason = MACHINE_IMAGE_UPDATE_REASON.vanished;
    // Listed but no longer compatible with this worker: forced, as in Gardener. Gone from the
    // profile altogether: docs/design.md, "Differences from Gardener" 6 (auto-update only, unless the operator flag).
    const listed = entry.versions.some((v) => v.version === current);
    forced = listed || options.forceUpdateVanishedVersions;
    if (!forced && !autoUpdate) return undefined;
  } else if (isExpired(inFiltered, now)) {
    reason = MACHINE_IMAGE_UPDATE_REASON.expired(strategy);
    forced = true;
  } else if (autoUpdate) {
    reason = MACHINE_IMAGE_UPDATE_REASON.auto(strategy);
    forced = false;
  } else {
    return undefined;
  }

  const target = decideMachineImageTarget({ imageName: entry.image.name, strategy, versions, current, forced, now });
  if (target.kind === 'none') return undefined;
  if (target.kind === 'error') {
    const description = `failed to update machine image "${entry.image.name}": ${target.error}`;
    return {
      pool: worker.name,
      change: { name: imageName, from: current, reason, error: description },
      result: { ok: false, description, reason },
    };
  }
  return {
    pool: worker.name,
    change: { name: entry.image.name, from: current, to: target.to, reason, forced },
    result: { ok: true, description: `Updated machine image "${entry.image.name}" from "${current}" to "${target.to}"`, reason },
  };
}

// ---- Kubernetes versions (reconciler.go: maintainKubernetesVersion, shouldKubernetesVersionBeUpdated) ----

function kubernetesOutcome(update: VersionUpdate): { change: KubernetesChange; result: ItemResult } | undefined {
  if (update.kind === 'none') return undefined;
  if (update.kind === 'error') {
    const description = higherVersionFailureText(update.from, update.error);
    return {
      change: { from: update.from, reason: update.reason, error: description },
      result: { ok: false, description, reason: update.reason },
    };
  }
  return {
    change: { from: update.from, to: update.to, reason: update.reason, forced: update.forced },
    result: { ok: true, description: `Updated Kubernetes version from "${update.from}" to "${update.to}"`, reason: update.reason },
  };
}

// ---- operations (reconciler.go: maintainOperation, getOperation) and tasks (maintainTasks) ----------

function isTrue(value: string | undefined): boolean {
  // Go strconv.ParseBool's true spellings.
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

/**
 * getOperation: the maintenance operations, `reconcile` if not among them, then each rotation
 * started (the ETCD key not when `rotate-etcd-encryption-key-start` is among the maintenance
 * operations). Not de-duplicated, as in Gardener.
 */
function operationOf(maintenanceOperations: string[], rotations: CredentialRotation[]): string {
  const ops = [...maintenanceOperations];
  if (!ops.includes(OP_RECONCILE)) ops.push(OP_RECONCILE);
  for (const { operation, result } of rotations) {
    if (!result.ok) continue;
    if (operation === OP_ROTATE_ETCD_ENCRYPTION_KEY && maintenanceOperations.includes(OP_ROTATE_ETCD_ENCRYPTION_KEY_START)) continue;
    ops.push(operation);
  }
  return ops.join(OPERATION_SEPARATOR);
}

/** maintainOperation: returns the operation string when it is more than `reconcile`, else ''. */
function maintainOperation(shoot: Shoot, rotations: CredentialRotation[]): string {
  const annotations = { ...annotationsOf(shoot) };
  if (parseOperations(annotations[OPERATION_ANNOTATION]).includes(OP_MAINTAIN)) delete annotations[OPERATION_ANNOTATION];
  let operation = '';
  const lastOperation = shoot.status?.lastOperation;
  if (lastOperation) {
    if (lastOperation.state === 'Failed') {
      if (isTrue(annotations[NEEDS_RETRY_ANNOTATION])) {
        annotations[OPERATION_ANNOTATION] = OP_RETRY;
        delete annotations[NEEDS_RETRY_ANNOTATION];
      }
    } else {
      operation = operationOf(parseOperations(annotations[MAINTENANCE_OPERATION_ANNOTATION]), rotations);
      annotations[OPERATION_ANNOTATION] = operation;
      delete annotations[MAINTENANCE_OPERATION_ANNOTATION];
    }
  }
  shoot.metadata.annotations = annotations;
  return operation === OP_RECONCILE ? '' : operation;
}

/** maintainTasks: add-if-absent to the comma list, order kept. Returns the tasks added. */
function maintainTasks(shoot: Shoot, options: MaintenanceOptions): string[] {
  const annotations = { ...annotationsOf(shoot) };
  const tasks = (annotations[TASKS_ANNOTATION] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const wanted: string[] = [...MAINTENANCE_TASKS];
  if (options.restartControlPlanePods ?? true) wanted.push(TASK_RESTART_CONTROL_PLANE_PODS);
  if (options.restartCoreAddons ?? false) wanted.push(TASK_RESTART_CORE_ADDONS);
  const added = wanted.filter((t) => !tasks.includes(t));
  if (added.length > 0) {
    annotations[TASKS_ANNOTATION] = [...tasks, ...added].join(',');
    shoot.metadata.annotations = annotations;
  }
  return added;
}

// ---- the window ---------------------------------------------------------------------------------

function windowView(shoot: Shoot, now: Date): MaintenancePlan['window'] & { nextRun: MaintenancePlan['nextRun'] } {
  const spec = shoot.spec.maintenance?.timeWindow;
  const parsed = spec ? parseTimeWindow(spec) : undefined;
  const configured = parsed?.ok ? parsed.window : ALWAYS_WINDOW;
  const effective = effectiveShootWindow(shoot);
  const schedule = scheduleOf(shoot);
  const next = schedule.nextOccurrence(now);
  return {
    begin: formatMaintenanceTime(configured.begin),
    end: formatMaintenanceTime(configured.end),
    effectiveEnd: formatMaintenanceTime(effective.end),
    inWindow: schedule.occurrenceContaining(now) !== undefined,
    timeZone: schedule.timeZone ?? null,
    days: schedule.days === undefined ? null : [...schedule.days],
    nextRun: {
      earliest: next.begin.toISOString(),
      latest: next.end.toISOString(),
      localEarliest: schedule.localIso(next.begin),
      localLatest: schedule.localIso(next.end),
    },
  };
}

function dueReasonOf(shoot: Shoot, inWindow: boolean, now: Date): DueReason {
  if (hasOperation(shoot, OPERATION_ANNOTATION, OP_MAINTAIN)) return 'maintain-requested';
  if (!inWindow) return 'outside-window';
  return maintainedInCurrentOccurrence(shoot, now) ? 'maintained-in-this-occurrence' : 'in-window';
}

// ---- plan -----------------------------------------------------------------------------------------

/** What plan knows beyond the shoot and its profile: the freeze covering it at now, if any. */
export interface PlanContext {
  restriction?: Restriction;
}

/** Whether two versions differ in major or minor (a minor update, for the freezes). */
function minorDiffers(from: string, to: string): boolean {
  const a = parseVersionLenient(normalizeVersion(from));
  const b = parseVersionLenient(normalizeVersion(to));
  return a === undefined || b === undefined || a.major !== b.major || a.minor !== b.minor;
}

/** `Deferred by MaintenanceExclusion "a/b" (NoMinorUpgrades) until <end>: control plane: Kubernetes version "1.32.9" to "1.33.1"` */
export function deferralText(restriction: PlanRestriction, deferred: readonly DeferredChange[]): string {
  const items = deferred.map((d) => `${d.component}: ${d.change}`).join('; ');
  return `Deferred by ${restriction.exclusion} (${restriction.scope}) until ${restriction.end}: ${items}`;
}

/**
 * The Event of a run a NoUpgrades freeze skipped (dueReason `excluded`): MaintenanceDeferred naming
 * the exclusion, its scope, its end and everything deferred; undefined for any other plan.
 */
export function excludedRunEvent(p: MaintenancePlan): PlannedEvent | undefined {
  if (p.dueReason !== 'excluded' || !p.restriction) return undefined;
  const message =
    p.deferred.length > 0
      ? deferralText(p.restriction, p.deferred)
      : `Deferred by ${p.restriction.exclusion} (${p.restriction.scope}) until ${p.restriction.end}: the maintenance run (nothing else was due)`;
  return { type: 'Normal', reason: EVENT_REASON_DEFERRED, message };
}

/** What one maintenance run at `now` does to the shoot. */
export function plan(original: Shoot, index: CatalogueIndex, now: Date, options: MaintenanceOptions, context: PlanContext = {}): MaintenancePlan {
  const { nextRun, ...window } = windowView(original, now);
  let dueReason = dueReasonOf(original, window.inWindow, now);
  // An explicit `maintain` acts at once, whatever freeze covers the shoot.
  const freeze = dueReason === 'maintain-requested' ? undefined : context.restriction;
  const restriction: PlanRestriction | null = freeze
    ? {
        scope: freeze.scope,
        exclusion: exclusionName(freeze.exclusion),
        reason: freeze.exclusion.spec.reason ?? null,
        end: isoSeconds(Date.parse(freeze.exclusion.spec.end)),
      }
    : null;
  const scope = scopeEffects(freeze?.scope);
  if (!scope.run && dueReason === 'in-window') dueReason = 'excluded';
  const due = dueReason === 'maintain-requested' || dueReason === 'in-window';
  // With NoUpgrades nothing runs: the plan computes the unrestricted run and reports all of it as deferred.
  const effects = scope.run ? scope : scopeEffects(undefined);
  const deferred: DeferredChange[] = [];

  // docs/design.md, "Differences from Gardener" 1: the held spec is what maintenance works on and writes.
  const heldSpecReleased = annotationsOf(original)[PENDING_SPEC_ANNOTATION] !== undefined;
  // The held spec is the user's own change: a run under a freeze still rolls it out (with NoUpgrades
  // no run happens, so it stays held). Holding it in a run would need the webhook to tell a
  // scheduler update that keeps it held from one that releases it.
  const shoot = withPendingSpecApplied(original);
  const heldSpecApplied = heldSpecReleased && annotationsOf(shoot)[PENDING_SPEC_ANNOTATION] === undefined;
  const workers = workersOf(shoot);
  const autoUpdate = shoot.spec.maintenance?.autoUpdate ?? {};
  const preMaintenanceVersion = shoot.spec.kubernetes.version ?? '';

  // 1. Machine images (against the pre-maintenance control-plane version).
  const imageChanges = new Map<string, MachineImageChange>();
  const imageResults: MaintenanceResults['workerMachineImages'] = [];
  const machineImageError = workers.length > 0 ? machineImagePrerequisiteError(workers, index) : undefined;
  if (machineImageError === undefined) {
    for (const worker of workers) {
      const outcome = maintainMachineImage(worker, index, preMaintenanceVersion, autoUpdate.machineImageVersion === true, now, options);
      if (!outcome) continue;
      if (!effects.imageUpdates) {
        const c = outcome.change;
        if ('to' in c) deferred.push({ component: `worker pool "${worker.name}"`, change: `machine image "${c.name}" "${c.from}" to "${c.to}"`, forced: c.forced });
        continue;
      }
      imageChanges.set(worker.name, outcome.change);
      imageResults.push({ pool: worker.name, result: outcome.result });
      if ('to' in outcome.change && worker.machine.image) {
        worker.machine.image = { ...worker.machine.image, name: outcome.change.name, version: outcome.change.to };
      }
    }
  } else {
    for (const worker of workers) {
      imageChanges.set(worker.name, {
        name: worker.machine.image?.name ?? '',
        from: worker.machine.image?.version ?? '',
        reason: MACHINE_IMAGE_MAINTENANCE_STOPPED,
        error: machineImageError,
      });
    }
  }

  // 2. Control-plane Kubernetes version.
  const decide = (current: string): VersionUpdate =>
    decideKubernetesVersionUpdate({
      current,
      versions: index.kubernetes,
      autoUpdate: autoUpdate.kubernetesVersion === true,
      now,
      forceUpdateVanishedVersions: options.forceUpdateVanishedVersions,
    });
  /** A minor update the freeze forbids is deferred instead of made. */
  const unlessFrozen = (update: VersionUpdate, component: string): VersionUpdate => {
    if (update.kind !== 'update' || effects.minorUpdates || !minorDiffers(update.from, update.to)) return update;
    deferred.push({ component, change: `Kubernetes version "${update.from}" to "${update.to}"`, forced: update.forced });
    return { kind: 'none' };
  };
  const controlPlane = kubernetesOutcome(unlessFrozen(decide(preMaintenanceVersion), 'control plane'));
  if (controlPlane && 'to' in controlPlane.change) shoot.spec.kubernetes = { ...shoot.spec.kubernetes, version: controlPlane.change.to };
  const controlPlaneVersion = shoot.spec.kubernetes.version ?? '';
  // Automatic credential rotations due at now (computeCredentialsToRotationResults).
  const rotationsDue = credentialRotationsDue(shoot, now);
  const rotations = effects.rotations ? rotationsDue : [];
  for (const r of effects.rotations ? [] : rotationsDue) {
    if (r.result.ok) deferred.push({ component: 'credentials', change: `rotation "${r.operation}"`, forced: false });
  }
  // Fields the new minor no longer accepts (Gardener's clean-ups after maintainKubernetesVersion).
  const cleanups = applyMinorBoundaryCleanups(shoot, preMaintenanceVersion, controlPlaneVersion);

  // 3. Worker-pool Kubernetes versions, never above the (maintained) control plane.
  const kubernetesChanges = new Map<string, KubernetesChange>();
  const workerKubernetesResults: MaintenanceResults['workerKubernetes'] = [];
  for (const worker of workers) {
    const current = worker.kubernetes?.version;
    if (current === undefined) continue;
    let update = decide(current);
    if (update.kind === 'update' && compareVersions(update.to, controlPlaneVersion) > 0) {
      update = { ...update, to: controlPlaneVersion };
    }
    if (update.kind === 'update' && update.to === update.from) continue;
    update = unlessFrozen(update, `worker pool "${worker.name}"`);
    const outcome = kubernetesOutcome(update);
    if (!outcome) continue;
    kubernetesChanges.set(worker.name, outcome.change);
    workerKubernetesResults.push({ pool: worker.name, result: outcome.result });
    if ('to' in outcome.change) worker.kubernetes = { ...worker.kubernetes, version: outcome.change.to };
  }
  // Feature gates and admission plugins the maintained versions do not support (Gardener: every run).
  const unsupported = removeUnsupportedGatesAndPlugins(shoot);

  // 4. Operation annotations and tasks.
  const operation = maintainOperation(shoot, rotations);
  const operations = [...cleanups, ...unsupported, ...(operation === '' ? [] : [`Added "${operation}" operation annotation`])];
  const tasksAdded = maintainTasks(shoot, options);

  const results: MaintenanceResults = {
    controlPlane: controlPlane?.result,
    workerKubernetes: workerKubernetesResults,
    workerMachineImages: imageResults,
    credentials: rotations,
    operations,
  };
  const requiresPatch =
    operations.length > 0 ||
    controlPlane !== undefined ||
    workerKubernetesResults.length > 0 ||
    imageResults.length > 0 ||
    rotations.length > 0 ||
    heldSpecApplied ||
    (scope.run && deferred.length > 0);

  // 5. status.lastMaintenance as the run leaves it.
  const previous = original.status?.lastMaintenance;
  let lastMaintenance: MaintenancePlan['lastMaintenance'];
  if (requiresPatch) {
    const messages = buildMaintenanceMessages(results);
    lastMaintenance =
      messages.failureReason === ''
        ? { description: messages.description, state: 'Succeeded' }
        : { description: messages.description, state: 'Failed', failureReason: messages.failureReason };
  } else if (previous?.state === 'Failed') {
    lastMaintenance = { description: DESCRIPTION_MAINTENANCE_SUCCEEDED, state: 'Succeeded' };
  } else {
    lastMaintenance = { description: buildMaintenanceMessages(results).description, state: 'Succeeded' };
  }
  // A freeze that held something back says so in lastMaintenance and in an Event.
  const deferral = scope.run && restriction && deferred.length > 0 ? deferralText(restriction, deferred) : undefined;
  if (deferral !== undefined) lastMaintenance = { ...lastMaintenance, description: `${lastMaintenance.description} ${deferral}` };
  const triggeredTime = isoSeconds(now);
  const written: LastMaintenance = { ...lastMaintenance, triggeredTime };
  shoot.status = { ...(shoot.status ?? {}), lastMaintenance: written };

  // NoUpgrades: everything the run would have done is what the freeze defers.
  if (!scope.run && restriction) deferred.push(...changesOfUnrestricted(heldSpecApplied, controlPlane?.change, workers, kubernetesChanges, imageChanges, rotations));

  return {
    window,
    due,
    dueReason,
    restriction,
    deferred,
    nextRun,
    kubernetes: controlPlane?.change ?? null,
    workers: workers.map((w) => ({
      name: w.name,
      kubernetes: kubernetesChanges.get(w.name) ?? null,
      machineImage: imageChanges.get(w.name) ?? null,
    })),
    credentialRotations: rotations.map(({ operation, result }) =>
      result.ok ? { operation, description: result.description, reason: result.reason } : { operation, reason: result.reason, error: result.description },
    ),
    operations,
    lastMaintenance,
    shoot,
    triggeredTime,
    events: [...buildMaintenanceEvents(results), ...(deferral === undefined ? [] : [{ type: 'Normal' as const, reason: EVENT_REASON_DEFERRED, message: deferral }])],
    heldSpecReleased: heldSpecApplied,
    operationAnnotation: { from: annotationsOf(original)[OPERATION_ANNOTATION], to: annotationsOf(shoot)[OPERATION_ANNOTATION] },
    tasksAdded,
    requiresPatch,
    ...(machineImageError === undefined ? {} : { machineImageError }),
    ...(dueReason === 'maintained-in-this-occurrence' ? { maintainedAt: original.status?.lastMaintenance?.triggeredTime } : {}),
  };
}

/** A run's changes as deferred items (a NoUpgrades freeze: nothing of it happens). */
function changesOfUnrestricted(
  heldSpec: boolean,
  controlPlane: KubernetesChange | undefined,
  workers: Worker[],
  kubernetes: Map<string, KubernetesChange>,
  images: Map<string, MachineImageChange>,
  rotations: CredentialRotation[],
): DeferredChange[] {
  const out: DeferredChange[] = [];
  if (heldSpec) out.push({ component: 'held spec', change: 'spec change held back (confineSpecUpdateRollout)', forced: false });
  if (controlPlane && 'to' in controlPlane) {
    out.push({ component: 'control plane', change: `Kubernetes version "${controlPlane.from}" to "${controlPlane.to}"`, forced: controlPlane.forced });
  }
  for (const w of workers) {
    const k = kubernetes.get(w.name);
    if (k && 'to' in k) out.push({ component: `worker pool "${w.name}"`, change: `Kubernetes version "${k.from}" to "${k.to}"`, forced: k.forced });
    const i = images.get(w.name);
    if (i && 'to' in i) out.push({ component: `worker pool "${w.name}"`, change: `machine image "${i.name}" "${i.from}" to "${i.to}"`, forced: i.forced });
  }
  for (const r of rotations) if (r.result.ok) out.push({ component: 'credentials', change: `rotation "${r.operation}"`, forced: false });
  return out;
}

/** The `plan -o json` object: exactly the keys of its contract (docs/design.md, "The plan -o json object"). */
export function planToJson(p: MaintenancePlan): Record<string, unknown> {
  return {
    window: p.window,
    due: p.due,
    dueReason: p.dueReason,
    nextRun: p.nextRun,
    kubernetes: p.kubernetes,
    workers: p.workers,
    credentialRotations: p.credentialRotations,
    operations: p.operations,
    lastMaintenance: p.lastMaintenance,
    shoot: p.shoot,
    // Added with the freezes (docs/design.md, "Maintenance freezes"), after the original keys.
    restriction: p.restriction,
    deferred: p.deferred,
  };
}

/** Whether the planned Shoot differs from the one read (status aside): an update is needed. */
export function shootChanged(p: MaintenancePlan, read: Shoot): boolean {
  const strip = (s: Shoot): unknown => ({ metadata: { annotations: s.metadata.annotations ?? {} }, spec: s.spec });
  return !jsonEqual(strip(p.shoot), strip(read));
}

/** A copy of the shoot with the plan's status left out (what the main-resource update sends). */
export function withoutStatus(shoot: Shoot): Shoot {
  const copy = deepCopy(shoot);
  delete copy.status;
  return copy;
}
