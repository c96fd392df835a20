// `shoot-maintenance plan --shoot FILE --cloud-profile FILE... [--exclusions FILE...] [--now ISO]
//  [-o json|text] [--force-update-vanished-versions]`: what the next maintenance run would do, offline,
// under the maintenance freeze covering the shoot at --now (./exclusion-files.ts). A shoot
// that references a NamespacedCloudProfile is planned against its merge with the parent: give
// both files (`--cloud-profile parent.yaml --cloud-profile namespaced.yaml`).
import { type Command, Option } from 'commander';
import { readShoot } from '../admission/object-shape.js';
import { prepareCloudProfile } from '../catalogue/prepare.js';
import { loadCloudProfileFiles } from '../catalogue/profile-files.js';
import { NAMESPACED_CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { defaultShoot } from '../core/defaulting.js';
import { renderFieldErrors } from '../core/field-errors.js';
import { isJsonObject } from '../core/json.js';
import { type MaintenanceOptions, plan, planToJson } from '../core/maintenance.js';
import { NO_EXCLUSIONS, restrictionAt } from '../core/maintenance-exclusion.js';
import { cloudProfileRefOf, profileRefText, type Shoot } from '../core/shoot.js';
import { readDocumentFile } from './document-file.js';
import { loadExclusionFiles } from './exclusion-files.js';
import { collect, FEATURE_GATES_HELP, parseFeatureGates, parseNow } from './options.js';
import { renderPlanText } from './plan-text.js';

export interface PlanCommandOptions {
  shoot: string;
  /** One CloudProfile file (used whatever name the shoot gives), or several files of CloudProfiles and
   *  NamespacedCloudProfiles among which the shoot's reference is looked up. */
  cloudProfile: string | string[];
  /** MaintenanceExclusion / ClusterMaintenanceExclusion (and Namespace) files. */
  exclusions?: string[];
  now?: string;
  output: 'json' | 'text';
  forceUpdateVanishedVersions?: boolean;
  restartControlPlanePods?: boolean;
  restartCoreAddons?: boolean;
  /** `--feature-gates` as given: checked like the other commands'; maintenance reads lifecycles whatever the gate
   *  (Gardener's gate lives in gardener-apiserver's validation only, pkg/apiserver/features/features.go). */
  featureGates?: string;
}

/** Read one YAML or JSON object from a file; every problem is one line. */
export function readObjectFile(path: string, what: string): Record<string, unknown> {
  const document = readDocumentFile(path, `${what} file`);
  if (!isJsonObject(document)) throw new Error(`${what} file ${path} does not hold an object`);
  return document;
}

/**
 * The Shoot of a file as the webhook would read it (absent and `null` sections as Gardener reads
 * them, fields type-checked); every problem is one line.
 */
export function readShootFile(path: string): Shoot {
  const doc = readObjectFile(path, 'shoot');
  if (doc.kind !== 'Shoot') throw new Error(`shoot file ${path}: kind is ${JSON.stringify(doc.kind)}, expected "Shoot"`);
  const read = readShoot(doc);
  if (!read.ok) throw new Error(`shoot file ${path}: ${renderFieldErrors(read.errors)}`);
  return read.object;
}

/** The CloudProfile of a file, checked, defaulted and indexed as the webhook does. */
export function readCloudProfileFile(path: string): CatalogueIndex {
  const doc = readObjectFile(path, 'cloud profile');
  if (doc.kind !== 'CloudProfile') {
    throw new Error(`cloud profile file ${path}: kind is ${JSON.stringify(doc.kind)}, expected "CloudProfile"`);
  }
  const prepared = prepareCloudProfile(doc);
  if (!prepared.ok) throw new Error(`cloud profile file ${path}: ${prepared.reason}`);
  return prepared.index;
}

/**
 * The shoot with the mutating webhook's defaults (a window, completed versions: a manifest
 * without `spec.kubernetes.version` gets the latest supported one), as it would be stored. For a
 * shoot read back from a cluster this changes nothing.
 */
export function asStored(shoot: Shoot, index: CatalogueIndex, now: Date, path: string): Shoot {
  // An UPDATE against itself: what the shoot already has is kept, only what is missing is filled.
  const defaulted = defaultShoot({ shoot, oldShoot: shoot, operation: 'UPDATE', index, now });
  if (defaulted.errors.length > 0) throw new Error(`shoot file ${path}: ${renderFieldErrors(defaulted.errors)}`);
  return defaulted.shoot;
}

/**
 * The profile to plan against. One file holding one CloudProfile is used as it is (whatever name
 * the shoot gives, as before NamespacedCloudProfiles); otherwise the files are loaded like
 * review's and the shoot's reference is looked up among them.
 */
function profileForShoot(shoot: Shoot, shootPath: string, paths: readonly string[]): CatalogueIndex {
  if (paths.length === 0) throw new Error('--cloud-profile is required');
  const [only] = paths;
  if (paths.length === 1 && only !== undefined && readObjectFile(only, 'cloud profile').kind !== NAMESPACED_CLOUD_PROFILE_KIND) {
    return readCloudProfileFile(only);
  }
  const source = loadCloudProfileFiles(paths);
  const ref = cloudProfileRefOf(shoot);
  if (!ref) throw new Error(`shoot file ${shootPath} names no cloud profile (spec.cloudProfile.name)`);
  if (ref.kind === NAMESPACED_CLOUD_PROFILE_KIND && !ref.namespace) {
    throw new Error(`shoot file ${shootPath} has no metadata.namespace: a NamespacedCloudProfile is looked up in the shoot's namespace`);
  }
  const index = source.get(ref);
  if (!index) {
    throw new Error(`the shoot references ${ref.kind} ${JSON.stringify(profileRefText(ref))}, which is not among the --cloud-profile files`);
  }
  return index;
}

/** The maintenance flags shared by plan and schedule, as plan() takes them (the scheduler's defaults). */
export function maintenanceOptionsOf(options: {
  forceUpdateVanishedVersions?: boolean;
  restartControlPlanePods?: boolean;
  restartCoreAddons?: boolean;
}): MaintenanceOptions {
  return {
    forceUpdateVanishedVersions: options.forceUpdateVanishedVersions ?? false,
    restartControlPlanePods: options.restartControlPlanePods ?? true,
    restartCoreAddons: options.restartCoreAddons ?? false,
  };
}

/** The command's output for the given options (what is printed to stdout). */
export function runPlanCommand(options: PlanCommandOptions): string {
  parseFeatureGates(options.featureGates);
  const read = readShootFile(options.shoot);
  const paths = typeof options.cloudProfile === 'string' ? [options.cloudProfile] : options.cloudProfile;
  const index = profileForShoot(read, options.shoot, paths);
  const now = parseNow(options.now);
  const exclusions = options.exclusions?.length ? loadExclusionFiles(options.exclusions) : NO_EXCLUSIONS;
  const shoot = asStored(read, index, now, options.shoot);
  const restriction = restrictionAt(shoot, now, exclusions);
  const result = plan(shoot, index, now, maintenanceOptionsOf(options), restriction ? { restriction } : {});
  return options.output === 'json' ? `${JSON.stringify(planToJson(result), null, 2)}\n` : renderPlanText(result);
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('print what the next maintenance run would do to a Shoot')
    .requiredOption('--shoot <file>', 'the Shoot (YAML or JSON)')
    .requiredOption(
      '--cloud-profile <file>',
      "its CloudProfile (YAML or JSON); repeat it to give a NamespacedCloudProfile and its parent: the shoot's reference picks one",
      collect,
    )
    .option(
      '--exclusions <file>',
      'MaintenanceExclusions and ClusterMaintenanceExclusions (YAML or JSON, several documents; Namespaces for namespaceSelector labels); repeatable',
      collect,
    )
    .option('--now <iso>', 'the instant of the run (default: now)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'text']).default('text'))
    .option('--force-update-vanished-versions', 'treat versions dropped from the CloudProfile as expired', false)
    .option('--no-restart-control-plane-pods', 'do not add the restartControlPlanePods task')
    .option('--restart-core-addons', 'add the restartCoreAddons task', false)
    .option('--feature-gates <gates>', FEATURE_GATES_HELP)
    .action((options: PlanCommandOptions) => {
      process.stdout.write(runPlanCommand(options));
    });
}
