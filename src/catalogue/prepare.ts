// The catalogue's one pipeline for a CloudProfile object, as read from a file or the API server:
// shape-checked (readCloudProfile, which also reads absent and null fields as Gardener's decoder
// does), then defaulted and indexed by indexCloudProfile — which applies defaultCloudProfile
// itself, so the defaults are applied exactly once, to a copy — and the index is what handlers,
// the scheduler, `plan` and `review` use.
import { readCloudProfile } from '../admission/object-shape.js';
import { assertSafeDocument } from '../admission/review.js';
import { indexCloudProfile, type CatalogueIndex } from '../core/cloudprofile.js';
import type { CloudProfile } from '../core/cloudprofile-types.js';
import { renderFieldErrors } from '../core/field-errors.js';

export type PreparedCloudProfile =
  /** `profile` is the defaulted copy the index was built from (`index.profile`). */
  | { ok: true; name: string; profile: CloudProfile; index: CatalogueIndex }
  /** `reason` is one line: the field errors as the webhook renders them, or what else failed. */
  | { ok: false; name: string; reason: string };

/** Why a raw object is not safe to read (assertSafeDocument: a `__proto__` key, too deep), or undefined. */
export function unsafeDocumentReason(raw: unknown): string | undefined {
  try {
    assertSafeDocument(raw);
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}

/** Shape-checks, defaults and indexes one CloudProfile object (`root`: see CatalogueIndex). Never throws. */
export function prepareCloudProfile(raw: unknown, root?: string): PreparedCloudProfile {
  const rawName = (raw as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  const name = typeof rawName === 'string' ? rawName : '';
  const unsafe = unsafeDocumentReason(raw);
  if (unsafe !== undefined) return { ok: false, name, reason: unsafe };
  const read = readCloudProfile(raw);
  if (!read.ok) return { ok: false, name, reason: renderFieldErrors(read.errors) };
  if (!name) return { ok: false, name, reason: 'metadata.name: Required value' };
  try {
    const index = indexCloudProfile(read.object, root);
    return { ok: true, name, profile: index.profile, index };
  } catch (err) {
    return { ok: false, name, reason: errorText(err) };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
