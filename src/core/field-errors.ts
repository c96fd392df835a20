// Kubernetes-style field errors (k8s.io/apimachinery/pkg/util/validation/field) and their
// rendering, so that messages read exactly as Gardener users know them:
//   <field path>: <Type text>: <bad value>: <detail>
// Forbidden and Required omit the bad value. Strings are Go-quoted (%q), other primitives
// plain, objects JSON-encoded.

export type FieldErrorType = 'Invalid' | 'NotSupported' | 'Forbidden' | 'Required' | 'Duplicate';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  Required: 'Required value',
  Duplicate: 'Duplicate value',
};

/** The Kubernetes `reason` of a status cause for each type (metav1.CauseType). */
export const CAUSE_TYPE: Record<FieldErrorType, string> = {
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Required: 'FieldValueRequired',
  Duplicate: 'FieldValueDuplicate',
};

export function invalid(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'Invalid', field, badValue, detail };
}

export function notSupported(field: string, badValue: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return { type: 'NotSupported', field, badValue, detail };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'Forbidden', field, detail };
}

export function required(field: string, detail: string): FieldError {
  return { type: 'Required', field, detail };
}

export function duplicate(field: string, badValue: unknown): FieldError {
  return { type: 'Duplicate', field, badValue, detail: '' };
}

/** Go's %q for a string: double-quoted, with Go's escapes for quotes, backslashes and controls. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfffd) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go's time.Time String() of an instant in UTC (`2006-01-02 15:04:05.999999999 -0700 MST`), as a field error
 *  shows a metav1.Time's String(): `2026-01-01 10:00:00 +0000 UTC`, fractional seconds without trailing zeros. */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T10:00:00.500Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

/** A bad value that Go renders with its String() method, unquoted (a metav1.Time: `2026-01-01 10:00:00 +0000 UTC`). */
export class GoStringer {
  constructor(readonly text: string) {}
}

/** An instant as a field error shows a metav1.Time bad value (its String(), unquoted). */
export function goTime(ms: number): GoStringer {
  return new GoStringer(goTimeString(ms));
}

function renderValue(value: unknown): string {
  if (value instanceof GoStringer) return value.text;
  if (typeof value === 'string') return goQuote(value);
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One field error as apimachinery's `(*Error).Error()` renders it. */
export function renderFieldError(e: FieldError): string {
  const head = `${e.field}: ${TYPE_TEXT[e.type]}`;
  const withValue = e.type === 'Forbidden' || e.type === 'Required' ? head : `${head}: ${renderValue(e.badValue)}`;
  return e.detail ? `${withValue}: ${e.detail}` : withValue;
}

/** A list of field errors as `ToAggregate().Error()` renders it: one alone, several in [a, b]. */
export function renderFieldErrors(errors: readonly FieldError[]): string {
  const texts = [...new Set(errors.map(renderFieldError))];
  if (texts.length === 1) return texts[0] ?? '';
  return `[${texts.join(', ')}]`;
}
