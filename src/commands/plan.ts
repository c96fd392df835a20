// `shoot-maintenance plan --shoot FILE --cloud-profile FILE [--now ISO] [-o json|text]
//  [--force-update-vanished-versions]`: what the next maintenance run would do, offline.
import { type Command, Option } from 'commander';
import { cloudProfileShapeErrors, shootShapeErrors } from '../admission/object-shape.js';
import type { CloudProfile } from '../core/cloudprofile-types.js';
import { indexCloudProfile } from '../core/cloudprofile.js';
import { plan, planToJson, renderPlanText } from '../core/maintenance.js';
import type { Shoot } from '../core/shoot.js';
import { renderFieldErrors } from '../core/field-errors.js';
import { readDocumentFile } from './document-file.js';

export interface PlanCommandOptions {
  shoot: string;
  cloudProfile: string;
  now?: string;
  output: 'json' | 'text';
  forceUpdateVanishedVersions?: boolean;
  restartControlPlanePods?: boolean;
  restartCoreAddons?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Read one YAML or JSON object from a file; every problem is one line. */
export function readObjectFile(path: string, what: string): Record<string, unknown> {
  const document = readDocumentFile(path, `${what} file`);
  if (!isObject(document)) throw new Error(`${what} file ${path} does not hold an object`);
  return document;
}

export function readShoot(path: string): Shoot {
  const doc = readObjectFile(path, 'shoot');
  if (doc.kind !== 'Shoot') throw new Error(`shoot file ${path}: kind is ${JSON.stringify(doc.kind)}, expected "Shoot"`);
  const spec = doc.spec;
  if (!isObject(doc.metadata)) throw new Error(`shoot file ${path}: metadata missing`);
  if (!isObject(spec) || !isObject(spec.kubernetes) || typeof spec.kubernetes.version !== 'string') {
    throw new Error(`shoot file ${path}: spec.kubernetes.version missing`);
  }
  if (!isObject(spec.provider)) throw new Error(`shoot file ${path}: spec.provider missing`);
  const workers = spec.provider.workers;
  if (workers !== undefined && (!Array.isArray(workers) || !workers.every((w) => isObject(w) && typeof w.name === 'string' && isObject(w.machine)))) {
    throw new Error(`shoot file ${path}: spec.provider.workers must be a list of workers with name and machine`);
  }
  // The same type checks the webhook makes, so a wrongly typed field is named, not tripped over.
  const shapeErrors = shootShapeErrors(doc);
  if (shapeErrors.length > 0) throw new Error(`shoot file ${path}: ${renderFieldErrors(shapeErrors)}`);
  return doc as unknown as Shoot;
}

export function readCloudProfile(path: string): CloudProfile {
  const doc = readObjectFile(path, 'cloud profile');
  if (doc.kind !== 'CloudProfile') {
    throw new Error(`cloud profile file ${path}: kind is ${JSON.stringify(doc.kind)}, expected "CloudProfile"`);
  }
  const spec = doc.spec;
  if (!isObject(doc.metadata) || typeof doc.metadata.name !== 'string') throw new Error(`cloud profile file ${path}: metadata.name missing`);
  if (!isObject(spec) || !isObject(spec.kubernetes) || !Array.isArray(spec.kubernetes.versions)) {
    throw new Error(`cloud profile file ${path}: spec.kubernetes.versions missing`);
  }
  if (spec.machineImages !== undefined && !Array.isArray(spec.machineImages)) {
    throw new Error(`cloud profile file ${path}: spec.machineImages must be a list`);
  }
  const shapeErrors = cloudProfileShapeErrors(doc);
  if (shapeErrors.length > 0) throw new Error(`cloud profile file ${path}: ${renderFieldErrors(shapeErrors)}`);
  return doc as unknown as CloudProfile;
}

export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw new Error(`--now ${JSON.stringify(value)} is not an ISO 8601 instant`);
  return new Date(ms);
}

/** The command's output for the given options (what is printed to stdout). */
export function runPlanCommand(options: PlanCommandOptions): string {
  const shoot = readShoot(options.shoot);
  const profile = readCloudProfile(options.cloudProfile);
  const now = parseNow(options.now);
  const result = plan(shoot, indexCloudProfile(profile), now, {
    forceUpdateVanishedVersions: options.forceUpdateVanishedVersions ?? false,
    restartControlPlanePods: options.restartControlPlanePods ?? true,
    restartCoreAddons: options.restartCoreAddons ?? false,
  });
  return options.output === 'json' ? `${JSON.stringify(planToJson(result), null, 2)}\n` : renderPlanText(result);
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('print what the next maintenance run would do to a Shoot')
    .requiredOption('--shoot <file>', 'the Shoot (YAML or JSON)')
    .requiredOption('--cloud-profile <file>', 'its CloudProfile (YAML or JSON)')
    .option('--now <iso>', 'the instant of the run (default: now)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'text']).default('text'))
    .option('--force-update-vanished-versions', 'treat versions dropped from the CloudProfile as expired', false)
    .option('--no-restart-control-plane-pods', 'do not add the restartControlPlanePods task')
    .option('--restart-core-addons', 'add the restartCoreAddons task', false)
    .action((options: PlanCommandOptions) => {
      process.stdout.write(runPlanCommand(options));
    });
}
