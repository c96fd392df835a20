// Generated inputs for the planning and queue benchmarks: a large CloudProfile and many shoots,
// from a seeded PRNG so every run plans the same population.

/** mulberry32: a small, fast, seeded PRNG in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

const PAST = '2024-01-01T00:00:00Z';
const FUTURE = '2099-12-31T23:59:59Z';
const MACHINE_TYPES = Array.from({ length: 10 }, (_, i) => `m${i}.large`);
const STRATEGIES = ['major', 'minor', 'patch'];

/**
 * A CloudProfile with `kubernetesVersions` Kubernetes versions (1.10.0 upwards, 10 patches per
 * minor) and `images` machine images of `imageVersions` versions each (majors × 10 minors × 5
 * patches). The oldest fifth of each list has expired, the next fifth is deprecated with a future
 * expiry, the newest patch of the newest minor is a preview.
 */
export function largeCloudProfile({ kubernetesVersions = 300, images = 20, imageVersions = 200 } = {}) {
  const k8s = [];
  for (let i = 0; i < kubernetesVersions; i++) {
    const minor = 10 + Math.floor(i / 10);
    k8s.push({ version: `1.${minor}.${i % 10}` });
  }
  lifecycle(k8s);
  const machineImages = [];
  for (let m = 0; m < images; m++) {
    const versions = [];
    for (let i = 0; i < imageVersions; i++) {
      const major = 1000 + Math.floor(i / 50);
      const minor = Math.floor((i % 50) / 5);
      versions.push({ version: `${major}.${minor}.${i % 5}`, architectures: ['amd64', 'arm64'], cri: [{ name: 'containerd' }] });
    }
    lifecycle(versions);
    machineImages.push({ name: `image-${m}`, updateStrategy: STRATEGIES[m % 3], versions });
  }
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'bench' },
    spec: {
      type: 'local',
      regions: [{ name: 'local' }],
      kubernetes: { versions: k8s.reverse() },
      machineImages,
      machineTypes: MACHINE_TYPES.map((name) => ({ name, cpu: '2', gpu: '0', memory: '8Gi', architecture: 'amd64', usable: true })),
    },
  };
}

/** Ascending list: oldest fifth expired, next fifth deprecated (future expiry), last one preview. */
function lifecycle(ascending) {
  const fifth = Math.floor(ascending.length / 5);
  ascending.forEach((v, i) => {
    if (i < fifth) Object.assign(v, { classification: 'deprecated', expirationDate: PAST });
    else if (i < 2 * fifth) Object.assign(v, { classification: 'deprecated', expirationDate: FUTURE });
    else if (i === ascending.length - 1) v.classification = 'preview';
    else v.classification = 'supported';
  });
}

function two(n) {
  return String(n).padStart(2, '0');
}

/** A random window of 1–4 hours starting on the hour, in UTC ("HHMMSS+0000"). */
export function randomWindow(random) {
  const begin = Math.floor(random() * 24);
  const end = (begin + 1 + Math.floor(random() * 4)) % 24;
  return { begin: `${two(begin)}0000+0000`, end: `${two(end)}0000+0000` };
}

/** `count` shoots with three workers each, versions drawn from the profile (some expired), random windows. */
export function generateShoots(count, profile, random) {
  const k8s = profile.spec.kubernetes.versions.map((v) => v.version);
  const images = profile.spec.machineImages;
  const shoots = new Array(count);
  for (let i = 0; i < count; i++) {
    const image = pick(random, images);
    const version = pick(random, k8s.slice(60)); // not the oldest fifth: a forced update must exist
    const workers = ['a', 'b', 'c'].map((suffix) => ({
      name: `pool-${suffix}`,
      machine: { type: pick(random, MACHINE_TYPES), image: { name: image.name, version: pick(random, image.versions).version }, architecture: 'amd64' },
      cri: { name: 'containerd' },
      minimum: 1,
      maximum: 3,
    }));
    shoots[i] = {
      apiVersion: 'core.gardener.cloud/v1beta1',
      kind: 'Shoot',
      metadata: {
        name: `shoot-${i}`,
        namespace: `garden-p${i % 100}`,
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        generation: 1,
        resourceVersion: String(1000 + i),
        annotations: random() < 0.1 ? { 'gardener.cloud/operation': 'maintain' } : {},
      },
      spec: {
        cloudProfileName: profile.metadata.name,
        region: 'local',
        kubernetes: { version },
        maintenance: {
          timeWindow: randomWindow(random),
          autoUpdate: { kubernetesVersion: random() < 0.5, machineImageVersion: random() < 0.5 },
        },
        provider: { type: 'local', workers },
      },
      status: { lastOperation: { type: 'Reconcile', state: 'Succeeded', progress: 100 } },
    };
  }
  return shoots;
}
