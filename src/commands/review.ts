// `shoot-maintenance review --request FILE [--cloud-profile FILE]... [--now ISO] [--webhook mutate|validate]`:
// one AdmissionReview through the same handlers the server uses, as kube-apiserver would call
// them: the mutating webhook, then the validating one on the mutated object. Prints one response
// AdmissionReview as JSON; unreadable input is a one-line error and a non-zero exit.
import type { Command } from 'commander';
import { firstLine, readDocumentFile } from './document-file.js';
import { collect, FEATURE_GATES_HELP, parseFeatureGates, parseNow } from './options.js';
import { validateCloudProfileReview, validateNamespacedCloudProfileReview } from '../admission/cloudprofile-handlers.js';
import { DEFAULT_EXPIRY_WARNING_DAYS, DEFAULT_SCHEDULER_USER, type AdmissionDeps } from '../admission/handler-deps.js';
import { applyJsonPatch } from '../admission/json-patch.js';
import {
  decodeAdmissionReview,
  encodeAdmissionReview,
  patchOf,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type AdmittedResource,
} from '../admission/review.js';
import { mutateShootReview, validateShootReview } from '../admission/shoot-handlers.js';
import { loadCloudProfileFiles } from '../catalogue/profile-files.js';
import { StaticCloudProfileSource } from '../catalogue/static-source.js';

export type WebhookChoice = 'mutate' | 'validate' | 'both';

export interface ReviewOptions {
  request: string;
  cloudProfile?: string[];
  now?: string;
  webhook?: WebhookChoice;
  schedulerUser?: string[];
  expiryWarningDays?: number;
  /** `--feature-gates` as given (parseFeatureGates). */
  featureGates?: string;
}

/** Reads an AdmissionReview request from a JSON or YAML file; errors are one line. */
export function readReviewFile(path: string): AdmissionRequest {
  const document = readDocumentFile(path, 'review file');
  try {
    return decodeAdmissionReview(document).request;
  } catch (err) {
    throw new Error(`${path}: ${firstLine(err)}`, { cause: err });
  }
}

function resourceOf(request: AdmissionRequest): AdmittedResource {
  const resource = (request.resource as { resource?: unknown } | undefined)?.resource;
  const kind = (request.kind as { kind?: unknown } | undefined)?.kind ?? (request.object ?? request.oldObject)?.kind;
  if (resource === 'namespacedcloudprofiles' || kind === 'NamespacedCloudProfile') return 'namespacedcloudprofiles';
  return resource === 'cloudprofiles' || kind === 'CloudProfile' ? 'cloudprofiles' : 'shoots';
}

/** The mutating then validating answer, combined as kube-apiserver would see them. */
export function reviewRequest(request: AdmissionRequest, deps: AdmissionDeps, webhook: WebhookChoice = 'both'): AdmissionResponse {
  const resource = resourceOf(request);
  if (resource !== 'shoots') {
    if (webhook === 'mutate') throw new Error(`there is no mutating webhook for ${resource}`);
    return resource === 'cloudprofiles' ? validateCloudProfileReview(request, deps) : validateNamespacedCloudProfileReview(request, deps);
  }
  if (webhook === 'validate') return validateShootReview(request, deps);
  const mutation = mutateShootReview(request, deps);
  if (webhook === 'mutate' || !mutation.allowed) return mutation;
  const mutated = request.object ? applyJsonPatch(request.object, patchOf(mutation)) : request.object;
  const validation = validateShootReview({ ...request, object: mutated }, deps);
  const warnings = [...(mutation.warnings ?? []), ...(validation.warnings ?? [])];
  const combined: AdmissionResponse = validation.allowed ? { ...mutation } : { ...validation };
  delete combined.warnings;
  if (warnings.length > 0) combined.warnings = warnings;
  return combined;
}

export function runReview(options: ReviewOptions): AdmissionReviewResponse {
  const now = parseNow(options.now);
  const gates = parseFeatureGates(options.featureGates);
  const webhook = options.webhook ?? 'both';
  if (!['mutate', 'validate', 'both'].includes(webhook)) {
    throw new Error(`--webhook must be mutate or validate, not ${JSON.stringify(webhook)}`);
  }
  const profiles = options.cloudProfile?.length ? loadCloudProfileFiles(options.cloudProfile) : new StaticCloudProfileSource();
  const request = readReviewFile(options.request);
  const deps: AdmissionDeps = {
    profiles,
    now: () => now,
    schedulerUsers: options.schedulerUser?.length ? options.schedulerUser : [DEFAULT_SCHEDULER_USER],
    expiryWarningDays: options.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
    versionClassificationLifecycle: gates.VersionClassificationLifecycle,
  };
  return encodeAdmissionReview(reviewRequest(request, deps, webhook));
}

export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description('run one AdmissionReview (JSON or YAML) through the webhook handlers offline and print the response review')
    .requiredOption('--request <file>', 'AdmissionReview request (JSON or YAML)')
    .option('--cloud-profile <file>', 'CloudProfile file (YAML/JSON, several documents allowed; repeatable)', collect, [])
    .option('--now <iso>', 'the instant to review at (default: now)')
    .option('--webhook <which>', 'run only the mutate or the validate webhook')
    .option('--scheduler-user <name>', `username whose updates release held specs (repeatable; default ${DEFAULT_SCHEDULER_USER})`, collect, [])
    .option('--expiry-warning-days <days>', 'warn when a used version expires within this many days', (v) => Number(v), DEFAULT_EXPIRY_WARNING_DAYS)
    .option('--feature-gates <gates>', FEATURE_GATES_HELP)
    .action((options: { request: string; cloudProfile: string[]; now?: string; webhook?: string; schedulerUser: string[]; expiryWarningDays: number; featureGates?: string }) => {
      const review = runReview({
        request: options.request,
        cloudProfile: options.cloudProfile,
        now: options.now,
        webhook: (options.webhook ?? 'both') as WebhookChoice,
        schedulerUser: options.schedulerUser,
        expiryWarningDays: options.expiryWarningDays,
        featureGates: options.featureGates,
      });
      process.stdout.write(`${JSON.stringify(review, null, 2)}\n`);
    });
}
