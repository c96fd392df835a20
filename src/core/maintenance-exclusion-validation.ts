// Validation of MaintenanceExclusion and ClusterMaintenanceExclusion (maintenance freezes,
// src/core/maintenance-exclusion.ts; docs/design.md, "Maintenance freezes") for the validating
// webhook. The CRD schemas check only types, so every rule and its text is here. Label selectors
// are checked as apimachinery's metav1validation.ValidateLabelSelector does, with its texts
// (k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go, pkg/util/validation/validation.go).
import { isJsonObject } from './json.js';
import { type FieldError, forbidden, invalid, notSupported, required } from './field-errors.js';
import { EXCLUSION_SCOPES, MAINTENANCE_EXCLUSION_KIND } from './maintenance-exclusion.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest freeze of each scope, in days. */
export const MAX_EXCLUSION_DAYS: Record<(typeof EXCLUSION_SCOPES)[number], number> = {
  NoUpgrades: 30,
  NoMinorUpgrades: 180,
  NoMinorOrImageUpgrades: 180,
};

export const RFC3339_EXAMPLE = '2026-12-20T00:00:00Z';
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Epoch ms of an RFC 3339 date-time (Go's time.RFC3339 layout, fractions allowed), or undefined. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

// ---- apimachinery's texts ---------------------------------------------------------------------

function regexError(msg: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${format}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const LABEL_VALUE_FMT = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** validation.IsQualifiedName: the messages for a label key. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(prefix)) errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
    }
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** metav1validation.ValidateLabelSelector (without AllowInvalidLabelValueInSelector). */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (selector === undefined || selector === null) return [];
  if (!isJsonObject(selector)) return [invalid(path, selector, 'must be a label selector')];
  const errors: FieldError[] = [];
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    const labelsPath = `${path}.matchLabels`;
    if (!isJsonObject(matchLabels)) errors.push(invalid(labelsPath, matchLabels, 'must be a map of label keys to values'));
    else {
      for (const [key, value] of Object.entries(matchLabels)) {
        for (const msg of qualifiedNameErrors(key)) errors.push(invalid(labelsPath, key, msg));
        if (typeof value !== 'string') errors.push(invalid(labelsPath, value, 'must be a string'));
        else for (const msg of labelValueErrors(value)) errors.push(invalid(labelsPath, value, msg));
      }
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    const expressionsPath = `${path}.matchExpressions`;
    if (!Array.isArray(matchExpressions)) errors.push(invalid(expressionsPath, matchExpressions, 'must be a list'));
    else {
      for (const [i, requirement] of (matchExpressions as unknown[]).entries()) {
        errors.push(...requirementErrors(requirement, `${expressionsPath}[${i}]`));
      }
    }
  }
  return errors;
}

/** metav1validation.ValidateLabelSelectorRequirement. */
function requirementErrors(requirement: unknown, path: string): FieldError[] {
  if (!isJsonObject(requirement)) return [invalid(path, requirement, 'must be a label selector requirement')];
  const errors: FieldError[] = [];
  const { key, operator } = requirement;
  const values = Array.isArray(requirement.values) ? (requirement.values as unknown[]) : [];
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errors.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errors.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errors.push(invalid(`${path}.operator`, operator, 'not a valid selector operator'));
  }
  const keyText = typeof key === 'string' ? key : '';
  for (const msg of qualifiedNameErrors(keyText)) errors.push(invalid(`${path}.key`, keyText, msg));
  for (const [i, value] of values.entries()) {
    if (typeof value !== 'string') errors.push(invalid(`${path}.values[${i}]`, value, 'must be a string'));
    else for (const msg of labelValueErrors(value)) errors.push(invalid(`${path}.values[${i}]`, value, msg));
  }
  return errors;
}

// ---- the exclusion ----------------------------------------------------------------------------

function timeField(spec: Record<string, unknown>, field: 'start' | 'end', errors: FieldError[]): number | undefined {
  const value = spec[field];
  const path = `spec.${field}`;
  if (value === undefined || value === null || value === '') {
    errors.push(required(path, `an RFC 3339 time such as "${RFC3339_EXAMPLE}"`));
    return undefined;
  }
  const ms = typeof value === 'string' ? parseRfc3339(value) : undefined;
  if (ms === undefined) errors.push(invalid(path, value, `must be an RFC 3339 time such as "${RFC3339_EXAMPLE}"`));
  return ms;
}

/**
 * The field errors of a MaintenanceExclusion or ClusterMaintenanceExclusion (`kind` says which;
 * `object` as the API server sent it). Empty when it is valid.
 */
export function validateMaintenanceExclusion(kind: string, object: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const spec = isJsonObject(object) && isJsonObject(object.spec) ? object.spec : undefined;
  if (!spec) return [required('spec', '')];
  const start = timeField(spec, 'start', errors);
  const end = timeField(spec, 'end', errors);
  const scope = spec.scope;
  const knownScope = typeof scope === 'string' && (EXCLUSION_SCOPES as readonly string[]).includes(scope) ? (scope as (typeof EXCLUSION_SCOPES)[number]) : undefined;
  if (scope === undefined || scope === null || scope === '') errors.push(required('spec.scope', ''));
  else if (!knownScope) errors.push(notSupported('spec.scope', scope, EXCLUSION_SCOPES));
  if (start !== undefined && end !== undefined) {
    if (end <= start) errors.push(invalid('spec.end', spec.end, 'must be after spec.start'));
    else if (knownScope) {
      const days = MAX_EXCLUSION_DAYS[knownScope];
      if (end - start > days * DAY_MS) {
        errors.push(invalid('spec.end', spec.end, `must be at most ${days} days after spec.start for scope "${knownScope}"`));
      }
    }
  }
  if (spec.reason !== undefined && spec.reason !== null && typeof spec.reason !== 'string') errors.push(invalid('spec.reason', spec.reason, 'must be a string'));
  errors.push(...validateLabelSelector(spec.shootSelector, 'spec.shootSelector'));
  if (kind === MAINTENANCE_EXCLUSION_KIND) {
    if (spec.namespaceSelector !== undefined && spec.namespaceSelector !== null) {
      errors.push(forbidden('spec.namespaceSelector', 'a MaintenanceExclusion applies to its own namespace; use a ClusterMaintenanceExclusion to select namespaces'));
    }
  } else {
    errors.push(...validateLabelSelector(spec.namespaceSelector, 'spec.namespaceSelector'));
  }
  return errors;
}
