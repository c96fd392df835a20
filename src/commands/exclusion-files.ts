// Maintenance freezes for the offline commands (`plan --exclusions`, `schedule --exclusions`) and
// for `schedule --kubeconfig`: MaintenanceExclusion and ClusterMaintenanceExclusion objects
// (src/core/maintenance-exclusion.ts) checked for the fields the freeze model reads, and the
// labels of Namespace objects for a ClusterMaintenanceExclusion's namespaceSelector. Every problem
// of a file is one line that names the file and the object.
import { readObjectsFromFile } from '../catalogue/profile-files.js';
import { isJsonObject } from '../core/json.js';
import {
  CLUSTER_MAINTENANCE_EXCLUSION_KIND,
  EXCLUSION_SCOPES,
  type ExclusionScope,
  type ExclusionSet,
  MAINTENANCE_EXCLUSION_KIND,
  type MaintenanceExclusion,
} from '../core/maintenance-exclusion.js';

const NAMESPACE_KIND = 'Namespace';
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function selectorProblem(selector: unknown, field: string): string | undefined {
  if (selector === undefined || selector === null) return undefined;
  if (!isJsonObject(selector)) return `${field} must be a label selector object`;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isJsonObject(matchLabels) || Object.values(matchLabels).some((v) => typeof v !== 'string')) {
      return `${field}.matchLabels must map strings to strings`;
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) return `${field}.matchExpressions must be a list`;
    for (const [i, e] of matchExpressions.entries()) {
      const at = `${field}.matchExpressions[${i}]`;
      if (!isJsonObject(e) || typeof e.key !== 'string') return `${at}.key must be a string`;
      if (typeof e.operator !== 'string' || !SELECTOR_OPERATORS.includes(e.operator)) {
        return `${at}.operator must be one of ${SELECTOR_OPERATORS.join(', ')}`;
      }
      if (e.values !== undefined && (!Array.isArray(e.values) || e.values.some((v) => typeof v !== 'string'))) {
        return `${at}.values must be a list of strings`;
      }
    }
  }
  return undefined;
}

/** An RFC 3339 instant with a date, a time and an offset (what the CRD's date-time format accepts). */
function isRfc3339(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

/**
 * The exclusion an object is, or the one-line reason it is not one the freeze model can read
 * (kind, name, namespace of a MaintenanceExclusion, spec.start < spec.end as RFC 3339, a known
 * scope, selectors).
 */
export function readExclusion(raw: unknown): { ok: true; exclusion: MaintenanceExclusion } | { ok: false; error: string } {
  if (!isJsonObject(raw)) return { ok: false, error: 'not an object' };
  const kind = raw.kind;
  if (kind !== MAINTENANCE_EXCLUSION_KIND && kind !== CLUSTER_MAINTENANCE_EXCLUSION_KIND) {
    return { ok: false, error: `kind is ${JSON.stringify(kind)}, expected ${MAINTENANCE_EXCLUSION_KIND} or ${CLUSTER_MAINTENANCE_EXCLUSION_KIND}` };
  }
  const metadata = isJsonObject(raw.metadata) ? raw.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
  const label = `${String(kind)} ${JSON.stringify(name ?? '')}`;
  const fail = (why: string) => ({ ok: false as const, error: `${label}: ${why}` });
  if (name === undefined) return fail('metadata.name is required');
  if (kind === MAINTENANCE_EXCLUSION_KIND && (typeof metadata.namespace !== 'string' || metadata.namespace === '')) {
    return fail('metadata.namespace is required (a MaintenanceExclusion freezes the shoots of its namespace)');
  }
  const spec = raw.spec;
  if (!isJsonObject(spec)) return fail('spec is required');
  if (!isRfc3339(spec.start)) return fail(`spec.start ${JSON.stringify(spec.start)} is not an RFC 3339 instant`);
  if (!isRfc3339(spec.end)) return fail(`spec.end ${JSON.stringify(spec.end)} is not an RFC 3339 instant`);
  if (Date.parse(spec.end) <= Date.parse(spec.start)) return fail('spec.end must be after spec.start');
  if (typeof spec.scope !== 'string' || !(EXCLUSION_SCOPES as readonly string[]).includes(spec.scope)) {
    return fail(`spec.scope ${JSON.stringify(spec.scope)} is not one of ${EXCLUSION_SCOPES.join(', ')}`);
  }
  if (spec.reason !== undefined && spec.reason !== null && typeof spec.reason !== 'string') return fail('spec.reason must be a string');
  const shootSelector = selectorProblem(spec.shootSelector, 'spec.shootSelector');
  if (shootSelector) return fail(shootSelector);
  if (spec.namespaceSelector !== undefined && spec.namespaceSelector !== null && kind === MAINTENANCE_EXCLUSION_KIND) {
    return fail('spec.namespaceSelector is only allowed on a ClusterMaintenanceExclusion');
  }
  const namespaceSelector = selectorProblem(spec.namespaceSelector, 'spec.namespaceSelector');
  if (namespaceSelector) return fail(namespaceSelector);
  const exclusion: MaintenanceExclusion = {
    ...(typeof raw.apiVersion === 'string' ? { apiVersion: raw.apiVersion } : {}),
    kind,
    metadata: { ...metadata, name, ...(kind === CLUSTER_MAINTENANCE_EXCLUSION_KIND ? { namespace: undefined } : {}) },
    spec: {
      start: spec.start,
      end: spec.end,
      scope: spec.scope as ExclusionScope,
      ...(typeof spec.reason === 'string' ? { reason: spec.reason } : {}),
      ...(isJsonObject(spec.shootSelector) ? { shootSelector: spec.shootSelector as MaintenanceExclusion['spec']['shootSelector'] } : {}),
      ...(isJsonObject(spec.namespaceSelector)
        ? { namespaceSelector: spec.namespaceSelector as MaintenanceExclusion['spec']['namespaceSelector'] }
        : {}),
    },
  };
  if (exclusion.metadata.namespace === undefined) delete exclusion.metadata.namespace;
  return { ok: true, exclusion };
}

/** The labels of a Namespace object, or undefined when it is not one with a name. */
export function namespaceLabelsOf(raw: unknown): { name: string; labels: Record<string, string> } | undefined {
  if (!isJsonObject(raw) || !isJsonObject(raw.metadata) || typeof raw.metadata.name !== 'string') return undefined;
  const labels = isJsonObject(raw.metadata.labels) ? raw.metadata.labels : {};
  return {
    name: raw.metadata.name,
    labels: Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

/** An ExclusionSet of exclusions and namespaces' labels (an unlisted namespace: unknown labels). */
export function exclusionSetOf(exclusions: readonly MaintenanceExclusion[], namespaces: ReadonlyMap<string, Record<string, string>>): ExclusionSet {
  return { exclusions, namespaceLabels: (namespace) => namespaces.get(namespace) };
}

/**
 * `--exclusions FILE` (repeatable): YAML (several documents, `List`s) or JSON with
 * MaintenanceExclusions, ClusterMaintenanceExclusions and optionally Namespaces. Another kind, or
 * an exclusion the freeze model cannot read, is an error of one line.
 */
export function loadExclusionFiles(paths: readonly string[]): ExclusionSet {
  const exclusions: MaintenanceExclusion[] = [];
  const namespaces = new Map<string, Record<string, string>>();
  for (const path of paths) {
    const objects = readObjectsFromFile(path);
    for (const object of objects) {
      const kind = isJsonObject(object) ? object.kind : undefined;
      if (kind === NAMESPACE_KIND) {
        const ns = namespaceLabelsOf(object);
        if (!ns) throw new Error(`exclusions file ${path}: a Namespace without metadata.name`);
        namespaces.set(ns.name, ns.labels);
        continue;
      }
      const read = readExclusion(object);
      if (!read.ok) throw new Error(`exclusions file ${path}: ${read.error}`);
      exclusions.push(read.exclusion);
    }
    if (objects.length === 0) throw new Error(`exclusions file ${path} holds no object`);
  }
  return exclusionSetOf(exclusions, namespaces);
}
