// The AdmissionReview bodies of the webhook load test, and what a correct answer to each is.
// CREATE without a window and the confined UPDATE come from examples/reviews when present (the
// documented examples); the UPDATE of a three-worker shoot is built here. All refer to the
// CloudProfile `local` of examples/cloudprofile.yaml.
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/common.mjs';

export const CLOUD_PROFILE_FILE = join(REPO_ROOT, 'examples', 'cloudprofile.yaml');
const REVIEWS = join(REPO_ROOT, 'examples', 'reviews');

const shootKind = { group: 'core.gardener.cloud', version: 'v1beta1', kind: 'Shoot' };
const shootResource = { group: 'core.gardener.cloud', version: 'v1beta1', resource: 'shoots' };

function review(uid, operation, object, oldObject) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: shootKind,
      resource: shootResource,
      requestKind: shootKind,
      requestResource: shootResource,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      operation,
      userInfo: { username: 'alice@example.com', groups: ['system:authenticated'] },
      object,
      ...(oldObject ? { oldObject } : {}),
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
    },
  };
}

function worker(name, max) {
  return {
    name,
    machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1592.4.0' }, architecture: 'amd64' },
    cri: { name: 'containerd' },
    minimum: 1,
    maximum: max,
  };
}

function shoot(name, workers, extra = {}) {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: {
      name,
      namespace: 'garden-dev',
      uid: '0b5e7c1a-2222-4c3d-8e9f-000000000003',
      generation: 1,
      resourceVersion: '2002',
      creationTimestamp: '2026-01-10T08:00:00Z',
    },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      kubernetes: { version: '1.33.1' },
      maintenance: {
        timeWindow: { begin: '220000+0000', end: '230000+0000' },
        autoUpdate: { kubernetesVersion: true, machineImageVersion: true },
      },
      provider: { type: 'local', workers },
      ...extra,
    },
  };
}

function threeWorkerUpdate() {
  const old = shoot('three-workers', [worker('pool-a', 2), worker('pool-b', 3), worker('pool-c', 4)]);
  const updated = shoot('three-workers', [worker('pool-a', 2), worker('pool-b', 5), worker('pool-c', 4)]);
  return review('5d2c0e1f-0002-4a1b-9c3d-3b0a1c2d3e4f', 'UPDATE', updated, old);
}

function fromExample(file, fallback) {
  const path = join(REVIEWS, file);
  return existsSync(path) ? { body: JSON.parse(readFileSync(path, 'utf8')), source: `examples/reviews/${file}` } : fallback();
}

function createWithoutWindowFallback() {
  const s = shoot('dev', [worker('worker', 2)]);
  delete s.spec.maintenance;
  delete s.metadata.uid;
  return { body: review('3f7a1c2e-0001-4c1d-8a55-5b0c1e2d3f40', 'CREATE', s), source: 'generated' };
}

function confinedUpdateFallback() {
  const old = shoot('confined', [worker('worker', 2)]);
  old.spec.maintenance.confineSpecUpdateRollout = true;
  const updated = JSON.parse(JSON.stringify(old));
  updated.spec.provider.workers[0].maximum = 4;
  return { body: review('3f7a1c2e-0003-4c1d-8a55-5b0c1e2d3f42', 'UPDATE', updated, old), source: 'generated' };
}

const PENDING_SPEC = 'maintenance.gardener.cloud/pending-spec';

function decodedPatch(response) {
  if (!response.patch) return [];
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
}

/**
 * The scenarios: route, body, and `check(review)` → undefined when the answer is the expected
 * one, else why not. `markers` are substrings every correct answer contains (cheap check under load).
 */
export function scenarios() {
  const create = fromExample('create-without-window.json', createWithoutWindowFallback);
  const confined = fromExample('update-confined.json', confinedUpdateFallback);
  return [
    {
      name: 'create-no-window',
      title: 'CREATE, no window (mutate: defaulting patch)',
      route: '/mutate/shoots',
      source: create.source,
      body: JSON.stringify(create.body),
      uid: create.body.request.uid,
      markers: ['"allowed":true', '"patch":'],
      check(res) {
        if (res.allowed !== true) return `not allowed: ${res.status?.message}`;
        const ops = decodedPatch(res);
        if (!ops.some((op) => op.path.startsWith('/spec/maintenance'))) return `no window defaulted: ${JSON.stringify(ops)}`;
        return undefined;
      },
    },
    {
      name: 'update-three-workers',
      title: 'UPDATE, three workers (validate)',
      route: '/validate/shoots',
      source: 'generated (bench/webhook/bodies.mjs)',
      body: JSON.stringify(threeWorkerUpdate()),
      uid: threeWorkerUpdate().request.uid,
      markers: ['"allowed":true'],
      check(res) {
        if (res.allowed !== true) return `not allowed: ${res.status?.message}`;
        if (res.patch) return 'a validating answer with a patch';
        return undefined;
      },
    },
    {
      name: 'update-confined',
      title: 'UPDATE, confined (mutate: hold-back)',
      route: '/mutate/shoots',
      source: confined.source,
      body: JSON.stringify(confined.body),
      uid: confined.body.request.uid,
      markers: ['"allowed":true', '"warnings":', '"patch":'],
      check(res) {
        if (res.allowed !== true) return `not allowed: ${res.status?.message}`;
        const ops = decodedPatch(res);
        const held = ops.some(
          (op) => op.path.includes(PENDING_SPEC.replace('/', '~1')) || (op.path === '/metadata/annotations' && op.value?.[PENDING_SPEC]),
        );
        if (!held) return `spec not held back: ${JSON.stringify(ops)}`;
        if (!Array.isArray(res.warnings) || res.warnings.length === 0) return 'no warning about the held change';
        return undefined;
      },
    },
  ];
}

/** Checks a full HTTP answer: status 200, an AdmissionReview v1 with the request's uid, then the scenario's rule. */
export function checkAnswer(scenario, status, text, { baseline = false } = {}) {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  let review;
  try {
    review = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') return 'not an AdmissionReview v1';
  const res = review.response;
  if (!res || res.uid !== scenario.uid) return `response uid ${res?.uid} ≠ request uid ${scenario.uid}`;
  if (baseline) return res.allowed === true ? undefined : 'baseline did not allow';
  return scenario.check(res);
}
