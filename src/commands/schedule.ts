// `shoot-maintenance schedule`: the maintenance calendar of many shoots — one row per occurrence of
// each shoot's window in [--from, --from + --days), with what a run then would do
// (./schedule-rows.ts). Online from the cluster of --kubeconfig (Shoots of all namespaces or -n,
// CloudProfiles, NamespacedCloudProfiles, MaintenanceExclusions, ClusterMaintenanceExclusions,
// Namespaces; the exclusion CRDs not installed = no freezes), or offline from files
// (--shoots FILE|DIR, --cloud-profile FILE…, --exclusions FILE…). Output: a table, a JSON array,
// or an RFC 5545 calendar (./schedule-text.ts, ./schedule-ics.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { CloudProfileSource } from '../admission/handler-deps.js';
import { readShoot } from '../admission/object-shape.js';
import { prepareNamespacedCloudProfile } from '../catalogue/namespaced.js';
import { prepareCloudProfile } from '../catalogue/prepare.js';
import { loadCloudProfileFiles, readObjectsFromFile } from '../catalogue/profile-files.js';
import { StaticCloudProfileSource } from '../catalogue/static-source.js';
import { profileLookupError } from '../core/cloud-profile-change.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import { renderFieldErrors } from '../core/field-errors.js';
import { isJsonObject } from '../core/json.js';
import {
  CLUSTER_MAINTENANCE_EXCLUSION_KIND,
  EXCLUSION_API_VERSION,
  type ExclusionSet,
  MAINTENANCE_EXCLUSION_KIND,
  type MaintenanceExclusion,
  NO_EXCLUSIONS,
} from '../core/maintenance-exclusion.js';
import { cloudProfileRefOf, profileRefText, type Shoot } from '../core/shoot.js';
import { DAY_MS } from '../core/timewindow.js';
import { CLOUDPROFILES_PATH, NAMESPACEDCLOUDPROFILES_PATH } from '../kube/cloudprofile-informer.js';
import { loadKubeConfig } from '../kube/config.js';
import type { KubeObject } from '../kube/informer.js';
import { listAll } from '../kube/list-all.js';
import { KubeApiError, KubeRestClient } from '../kube/rest-client.js';
import { exclusionSetOf, loadExclusionFiles, namespaceLabelsOf, readExclusion } from './exclusion-files.js';
import { collect, FEATURE_GATES_HELP, parseFeatureGates } from './options.js';
import { asStored, maintenanceOptionsOf } from './plan.js';
import { renderScheduleIcs } from './schedule-ics.js';
import { type ScheduleInput, scheduleRows } from './schedule-rows.js';
import { renderScheduleTable } from './schedule-text.js';

export interface ScheduleCommandOptions {
  kubeconfig?: string;
  namespace?: string;
  shoots?: string;
  cloudProfile?: string[];
  exclusions?: string[];
  from?: string;
  days: string;
  output: 'table' | 'json' | 'ics';
  forceUpdateVanishedVersions?: boolean;
  restartControlPlanePods?: boolean;
  restartCoreAddons?: boolean;
  featureGates?: string;
}

/** The shoots, their profiles and the freezes, wherever they come from. */
export interface ScheduleInputs {
  shoots: ScheduleInput[];
  exclusions: ExclusionSet;
}

/** `--from ISO` (default now). */
export function parseFrom(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}(T|$)/.test(value)) throw new Error(`--from ${JSON.stringify(value)} is not an ISO 8601 instant`);
  return new Date(ms);
}

/** `--days N`: a whole number of days, 1 to 366. */
export function parseDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new Error(`--days must be a whole number from 1 to 366, not ${JSON.stringify(value)}`);
  return n;
}

/** The shoot's profile among the source's, or why it has none (the text of Gardener's lookup). */
function withProfile(shoot: Shoot, source: CloudProfileSource, unusable: ReadonlyMap<string, string>): { index: CatalogueIndex } | { error: string } {
  const ref = cloudProfileRefOf(shoot);
  if (!ref) return { error: 'the shoot names no cloud profile (spec.cloudProfile.name)' };
  const index = source.get(ref);
  if (index) return { index };
  const key = ref.kind === NAMESPACED_CLOUD_PROFILE_KIND ? `${ref.kind} ${ref.namespace ?? ''}/${ref.name}` : `${ref.kind} ${ref.name}`;
  const reason = unusable.get(key);
  if (reason !== undefined) return { error: `${ref.kind} ${JSON.stringify(profileRefText(ref))} is unusable: ${reason}` };
  return { error: profileLookupError(ref) };
}

// ---- offline ------------------------------------------------------------------------------------

/** The files of --shoots: the file, or the .yaml/.yml/.json files of the directory (not recursive), sorted. */
function shootFiles(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    throw new Error(`cannot read shoots ${path}: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`, { cause: err });
  }
  if (!isDirectory) return [path];
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort()
    .map((f) => join(path, f));
}

export function offlineInputs(options: Pick<ScheduleCommandOptions, 'shoots' | 'cloudProfile' | 'exclusions'>, from: Date): ScheduleInputs {
  if (options.shoots === undefined) throw new Error('give --kubeconfig, or --shoots with --cloud-profile');
  if (!options.cloudProfile?.length) throw new Error('--shoots needs --cloud-profile');
  const source = loadCloudProfileFiles(options.cloudProfile);
  const exclusions = options.exclusions?.length ? loadExclusionFiles(options.exclusions) : NO_EXCLUSIONS;
  const shoots: ScheduleInput[] = [];
  const files = shootFiles(options.shoots);
  for (const file of files) {
    for (const object of readObjectsFromFile(file)) {
      if (!isJsonObject(object) || object.kind !== 'Shoot') continue;
      const read = readShoot(object);
      if (!read.ok) throw new Error(`shoots file ${file}: ${renderFieldErrors(read.errors)}`);
      const { namespace = '', name = '' } = read.object.metadata;
      const profile = withProfile(read.object, source, new Map());
      if ('error' in profile) {
        shoots.push({ namespace, name, shoot: read.object, error: profile.error });
        continue;
      }
      // As plan does: the mutating webhook's defaults (window, versions) of a manifest not yet applied.
      shoots.push({ namespace, name, shoot: asStored(read.object, profile.index, from, file), index: profile.index });
    }
  }
  if (shoots.length === 0) throw new Error(`--shoots ${options.shoots}: no object of kind Shoot in ${files.length === 1 ? 'the file' : `${files.length} files`}`);
  return { shoots, exclusions };
}

// ---- online -------------------------------------------------------------------------------------

const EXCLUSIONS_BASE = `/apis/${EXCLUSION_API_VERSION}`;
const withKind = (kind: string) => (o: KubeObject): unknown => ({ kind, ...o });

/** Freezes and namespace labels from the cluster; an exclusion CRD that is not installed (404) has none. */
async function clusterExclusions(client: KubeRestClient, namespace: string | undefined, warn: (line: string) => void): Promise<ExclusionSet> {
  const [namespaced, cluster] = await Promise.all([
    listAll(client, namespace ? `${EXCLUSIONS_BASE}/namespaces/${encodeURIComponent(namespace)}/maintenanceexclusions` : `${EXCLUSIONS_BASE}/maintenanceexclusions`, {
      missingIsEmpty: true,
    }),
    listAll(client, `${EXCLUSIONS_BASE}/clustermaintenanceexclusions`, { missingIsEmpty: true }),
  ]);
  const exclusions: MaintenanceExclusion[] = [];
  for (const raw of [...namespaced.map(withKind(MAINTENANCE_EXCLUSION_KIND)), ...cluster.map(withKind(CLUSTER_MAINTENANCE_EXCLUSION_KIND))]) {
    const read = readExclusion(raw);
    if (read.ok) exclusions.push(read.exclusion);
    else warn(`ignoring ${read.error}`);
  }
  const labels = new Map<string, Record<string, string>>();
  if (exclusions.some((e) => e.spec.namespaceSelector !== undefined)) {
    try {
      const namespaces = namespace
        ? [await client.request<KubeObject>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}` })]
        : await listAll(client, '/api/v1/namespaces');
      for (const ns of namespaces) {
        const read = namespaceLabelsOf(ns);
        if (read) labels.set(read.name, read.labels);
      }
    } catch (err) {
      if (!(err instanceof KubeApiError) || (err.statusCode !== 403 && err.statusCode !== 404)) throw err;
      warn(`cannot read Namespaces (${err.message}): namespaceSelectors match no namespace`);
    }
  }
  return exclusionSetOf(exclusions, labels);
}

export async function onlineInputs(client: KubeRestClient, namespace: string | undefined, warn: (line: string) => void): Promise<ScheduleInputs> {
  const shootsPath = namespace
    ? `/apis/core.gardener.cloud/v1beta1/namespaces/${encodeURIComponent(namespace)}/shoots`
    : '/apis/core.gardener.cloud/v1beta1/shoots';
  const [shootObjects, profileObjects, namespacedObjects, exclusions] = await Promise.all([
    listAll(client, shootsPath),
    listAll(client, CLOUDPROFILES_PATH),
    listAll(client, NAMESPACEDCLOUDPROFILES_PATH, { missingIsEmpty: true }),
    clusterExclusions(client, namespace, warn),
  ]);
  // Every profile prepared as the webhook's informer prepares it; an unusable one is remembered with its reason.
  const unusable = new Map<string, string>();
  const prepared: { name: string; index: CatalogueIndex }[] = [];
  for (const raw of profileObjects.map(withKind(CLOUD_PROFILE_KIND))) {
    const p = prepareCloudProfile(raw);
    if (p.ok) prepared.push(p);
    else unusable.set(`${CLOUD_PROFILE_KIND} ${p.name}`, p.reason);
  }
  const byName = new Map(prepared.map((p) => [p.name, p.index]));
  const merged: { name: string; index: CatalogueIndex }[] = [];
  for (const raw of namespacedObjects.map(withKind(NAMESPACED_CLOUD_PROFILE_KIND))) {
    const p = prepareNamespacedCloudProfile(raw, (name) => byName.get(name));
    if (p.ok) merged.push(p);
    else unusable.set(`${NAMESPACED_CLOUD_PROFILE_KIND} ${p.name}`, p.reason);
  }
  const source = new StaticCloudProfileSource(prepared, merged);
  const shoots: ScheduleInput[] = shootObjects.map((raw): ScheduleInput => {
    const namespace = raw.metadata.namespace ?? '';
    const name = raw.metadata.name ?? '';
    const read = readShoot({ kind: 'Shoot', ...raw });
    if (!read.ok) return { namespace, name, error: `the Shoot cannot be read: ${renderFieldErrors(read.errors)}` };
    const profile = withProfile(read.object, source, unusable);
    return 'error' in profile ? { namespace, name, shoot: read.object, error: profile.error } : { namespace, name, shoot: read.object, index: profile.index };
  });
  return { shoots, exclusions };
}

// ---- the command --------------------------------------------------------------------------------

export function renderSchedule(inputs: ScheduleInputs, options: Pick<ScheduleCommandOptions, 'output' | 'forceUpdateVanishedVersions' | 'restartControlPlanePods' | 'restartCoreAddons'>, from: Date, days: number): string {
  const to = new Date(from.getTime() + days * DAY_MS);
  const rows = scheduleRows(inputs.shoots, inputs.exclusions, from, to, maintenanceOptionsOf(options));
  switch (options.output) {
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'ics':
      return renderScheduleIcs(rows, from);
    case 'table':
      return renderScheduleTable(rows, from, to);
  }
}

/** The command's output (what is printed to stdout); `warn` gets one line per object ignored. */
export async function runScheduleCommand(options: ScheduleCommandOptions, warn: (line: string) => void = () => {}, now = new Date()): Promise<string> {
  parseFeatureGates(options.featureGates);
  const from = parseFrom(options.from, now);
  const days = parseDays(options.days);
  const offline = options.shoots !== undefined || options.cloudProfile !== undefined || options.exclusions !== undefined;
  if (offline && options.kubeconfig !== undefined) throw new Error('--kubeconfig reads the cluster; --shoots, --cloud-profile and --exclusions read files: give one or the other');
  if (offline && options.namespace !== undefined) throw new Error('-n/--namespace is for --kubeconfig; with --shoots give the files of the shoots wanted');
  if (offline) return renderSchedule(offlineInputs(options, from), options, from, days);
  const client = await KubeRestClient.fromKubeConfig(loadKubeConfig(options.kubeconfig), { userAgent: 'shoot-maintenance-schedule' });
  try {
    return renderSchedule(await onlineInputs(client, options.namespace, warn), options, from, days);
  } catch (err) {
    if (err instanceof KubeApiError) throw new Error(`the API server refused a list: ${err.message}`, { cause: err });
    throw err;
  } finally {
    client.close();
  }
}

export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description("list every shoot's maintenance runs in the coming days and what each would change")
    .option('--kubeconfig <file>', 'read the cluster of this kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('-n, --namespace <namespace>', 'only the shoots (and MaintenanceExclusions) of this namespace (default: all)')
    .option('--shoots <file-or-dir>', 'offline: Shoots from a YAML/JSON file or the .yaml/.yml/.json files of a directory')
    .option('--cloud-profile <file>', 'offline: CloudProfiles and NamespacedCloudProfiles (repeatable)', collect)
    .option('--exclusions <file>', 'offline: MaintenanceExclusions, ClusterMaintenanceExclusions, Namespaces (repeatable)', collect)
    .option('--from <iso>', 'the first instant (default: now)')
    .option('--days <n>', 'how many days from --from', '14')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'ics']).default('table'))
    .option('--force-update-vanished-versions', 'treat versions dropped from the CloudProfile as expired', false)
    .option('--no-restart-control-plane-pods', 'do not add the restartControlPlanePods task')
    .option('--restart-core-addons', 'add the restartCoreAddons task', false)
    .option('--feature-gates <gates>', FEATURE_GATES_HELP)
    .action(async (options: ScheduleCommandOptions) => {
      process.stdout.write(await runScheduleCommand(options, (line) => process.stderr.write(`shoot-maintenance: warning: ${line}\n`)));
    });
}
