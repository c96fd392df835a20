import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import type { Worker } from '../../../src/core/shoot.js';
import { completeMachineImage } from '../../../src/core/version-completion.js';
import { NOW, PAST, baseProfile, worker } from './cloudprofile-fixture.js';

describe('completeMachineImage (Gardener ensureMachineImage, getDefaultMachineImage)', () => {
  const twoImages = (): CloudProfile => {
    const p = baseProfile();
    p.spec.machineImages = [
      { name: 'armlinux', versions: [{ version: '3.0.0', architectures: ['arm64'] }] },
      {
        name: 'gardenlinux',
        versions: [
          { version: '1592.1.0' },
          { version: '1592.1.4' },
          { version: '1592.2.0', classification: 'deprecated' },
          { version: '1600.0.0', classification: 'preview' },
          { version: '1443.9.0', expirationDate: PAST },
          { version: '1500.0.0', inPlaceUpdates: { supported: true } },
          { version: '2000.0.0', classification: 'deprecated' },
        ],
      },
    ];
    return p;
  };
  const notFound = 'failed to determine latest machine image from cloud profile: unable to determine latest expirable version';

  it.each<[string, CloudProfile, Worker, Worker | undefined, unknown]>([
    ['existing pool without image keeps the old one', twoImages(), worker(), worker({ image: { name: 'gardenlinux', version: '1592.1.0' } }),
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.0' } }],
    ['existing pool, same name, no version keeps the old one', twoImages(), worker({ image: { name: 'gardenlinux' } }), worker({ image: { name: 'gardenlinux', version: '1592.1.0' } }),
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.0' } }],
    ['existing pool, other name, no version → latest of the new image', twoImages(), worker({ image: { name: 'gardenlinux' } }), worker({ image: { name: 'armlinux', version: '3.0.0' } }),
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['no image → first image supporting the architecture, latest non-deprecated non-preview', twoImages(), worker(), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['arm64 worker → the arm image', twoImages(), worker({ arch: 'arm64' }), undefined,
      { ok: true, image: { name: 'armlinux', version: '3.0.0' } }],
    ['major prefix', twoImages(), worker({ image: { name: 'gardenlinux', version: '1592' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['major.minor prefix with only a deprecated match', twoImages(), worker({ image: { name: 'gardenlinux', version: '1592.2' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.2.0' } }],
    ['leading v is trimmed', twoImages(), worker({ image: { name: 'gardenlinux', version: 'v1592.1' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['expired counts as non-deprecated', twoImages(), worker({ image: { name: 'gardenlinux', version: '1443' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1443.9.0' } }],
    ['three parts are kept as written', twoImages(), worker({ image: { name: 'gardenlinux', version: '1.2.3' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1.2.3' } }],
    ['in-place workers only get in-place versions', twoImages(), worker({ updateStrategy: 'ManualInPlaceUpdate', image: { name: 'gardenlinux' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1500.0.0' } }],
    ['unknown image name', twoImages(), worker({ image: { name: 'coreos', version: '1' } }), undefined,
      { ok: false, badValue: 'coreos', detail: 'image is not supported' }],
    ['image names match exactly here', twoImages(), worker({ image: { name: 'GardenLinux' } }), undefined,
      { ok: false, badValue: 'GardenLinux', detail: 'image is not supported' }],
    ['preview-only prefix', twoImages(), worker({ image: { name: 'gardenlinux', version: '1600' } }), undefined,
      { ok: false, badValue: 'gardenlinux@1600', detail: notFound }],
    ['no match for the prefix', twoImages(), worker({ image: { name: 'gardenlinux', version: '9.9' } }), undefined,
      { ok: false, badValue: 'gardenlinux@9.9', detail: notFound }],
    ['non-numeric part', twoImages(), worker({ image: { name: 'gardenlinux', version: 'a.1' } }), undefined,
      { ok: false, badValue: 'a.1', detail: 'a must be a semantic version: strconv.ParseUint: parsing "a": invalid syntax' }],
    ['too large a part', twoImages(), worker({ image: { name: 'gardenlinux', version: '99999999999999999999' } }), undefined,
      { ok: false, badValue: '99999999999999999999', detail: '99999999999999999999 must be a semantic version: strconv.ParseUint: parsing "99999999999999999999": value out of range' }],
    ['no image for the architecture', baseProfile(), worker({ arch: 'arm64' }), undefined,
      { ok: false, badValue: '', detail: 'no valid machine image found that supports architecture `arm64`' }],
    ['no images at all', { ...baseProfile(), spec: { ...baseProfile().spec, machineImages: [] } }, worker({ image: { name: 'x', version: '1' } }), undefined,
      { ok: false, badValue: 'x@1', detail: 'the cloud profile does not contain any machine image - cannot create shoot cluster' }],
  ])('%s', (_name, profile, w, old, expected) => {
    const index = indexCloudProfile(profile);
    expect(completeMachineImage({ index, worker: w, oldWorker: old, kubeletVersion: '1.28.1', now: NOW })).toEqual(expected);
  });
});
