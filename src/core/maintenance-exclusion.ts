// Maintenance freezes (this project's, after GKE's maintenance exclusions; docs/design.md,
// "Maintenance freezes"): a MaintenanceExclusion (namespaced, for the Shoots of its namespace its
// shootSelector matches) or a ClusterMaintenanceExclusion (adds a namespaceSelector) covers
// [spec.start, spec.end) and restricts what a maintenance run in it may do. The most restrictive
// exclusion covering a shoot at the run's instant wins.
import type { Shoot } from './shoot.js';

export const EXCLUSION_GROUP = 'maintenance.shoot-maintenance.io';
export const EXCLUSION_VERSION = 'v1alpha1';
export const EXCLUSION_API_VERSION = `${EXCLUSION_GROUP}/${EXCLUSION_VERSION}`;
export const MAINTENANCE_EXCLUSION_KIND = 'MaintenanceExclusion';
export const CLUSTER_MAINTENANCE_EXCLUSION_KIND = 'ClusterMaintenanceExclusion';

/** What a covered run may not do, least restrictive first. */
export const EXCLUSION_SCOPES = ['NoMinorUpgrades', 'NoMinorOrImageUpgrades', 'NoUpgrades'] as const;
export type ExclusionScope = (typeof EXCLUSION_SCOPES)[number];

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface MaintenanceExclusion {
  apiVersion?: string;
  kind: typeof MAINTENANCE_EXCLUSION_KIND | typeof CLUSTER_MAINTENANCE_EXCLUSION_KIND;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  spec: {
    /** RFC 3339. */
    start: string;
    end: string;
    scope: ExclusionScope;
    reason?: string;
    shootSelector?: LabelSelector;
    /** ClusterMaintenanceExclusion only. */
    namespaceSelector?: LabelSelector;
  };
}

/** The exclusions known, and the labels of a namespace (for namespaceSelector); undefined = unknown namespace. */
export interface ExclusionSet {
  exclusions: readonly MaintenanceExclusion[];
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}

/** No exclusion at all (the default of every caller that has none). */
export const NO_EXCLUSIONS: ExclusionSet = { exclusions: [], namespaceLabels: () => undefined };

/** The exclusion restricting a run: the scope and which object set it. */
export interface Restriction {
  scope: ExclusionScope;
  exclusion: MaintenanceExclusion;
}

/** `MaintenanceExclusion "team-a/xmas"` / `ClusterMaintenanceExclusion "year-end"`: how texts name an exclusion. */
export function exclusionName(e: MaintenanceExclusion): string {
  const name = e.metadata.namespace ? `${e.metadata.namespace}/${e.metadata.name ?? ''}` : (e.metadata.name ?? '');
  return `${e.kind} "${name}"`;
}

/** Whether labels match a selector (metav1.LabelSelectorAsSelector): an absent or empty selector matches everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    if (operator === 'In' && !(has && values.includes(value ?? ''))) return false;
    if (operator === 'NotIn' && has && values.includes(value ?? '')) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** [start, end) in epoch ms, or undefined when either time does not parse (the webhook refuses those). */
export function exclusionSpan(e: MaintenanceExclusion): { start: number; end: number } | undefined {
  const start = Date.parse(e.spec.start);
  const end = Date.parse(e.spec.end);
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : { start, end };
}

/** Whether the exclusion applies to the shoot (namespace, selectors), at any time. */
export function exclusionAppliesTo(e: MaintenanceExclusion, shoot: Shoot, set: ExclusionSet): boolean {
  const namespace = shoot.metadata.namespace ?? '';
  const labels = shoot.metadata.labels ?? {};
  if (e.kind === MAINTENANCE_EXCLUSION_KIND) {
    return e.metadata.namespace === namespace && selectorMatches(e.spec.shootSelector, labels);
  }
  if (e.spec.namespaceSelector && Object.keys(e.spec.namespaceSelector).length > 0) {
    const nsLabels = set.namespaceLabels(namespace);
    if (nsLabels === undefined || !selectorMatches(e.spec.namespaceSelector, nsLabels)) return false;
  }
  return selectorMatches(e.spec.shootSelector, labels);
}

/** The exclusions covering the shoot at an instant (start ≤ at < end), most restrictive first, then by end, then name. */
export function exclusionsCovering(shoot: Shoot, at: Date, set: ExclusionSet): MaintenanceExclusion[] {
  const t = at.getTime();
  return set.exclusions
    .filter((e) => {
      const span = exclusionSpan(e);
      return span !== undefined && span.start <= t && t < span.end && exclusionAppliesTo(e, shoot, set);
    })
    .sort(
      (a, b) =>
        EXCLUSION_SCOPES.indexOf(b.spec.scope) - EXCLUSION_SCOPES.indexOf(a.spec.scope) ||
        (exclusionSpan(b)?.end ?? 0) - (exclusionSpan(a)?.end ?? 0) ||
        exclusionName(a).localeCompare(exclusionName(b)),
    );
}

/** The restriction of a run at an instant: the most restrictive covering exclusion, if any. */
export function restrictionAt(shoot: Shoot, at: Date, set: ExclusionSet): Restriction | undefined {
  const [first] = exclusionsCovering(shoot, at, set);
  return first && { scope: first.spec.scope, exclusion: first };
}

/** What a scope still lets a run do (the table; docs/design.md, "Maintenance freezes"). */
export interface ScopeEffects {
  /** The run starts at all. */
  run: boolean;
  /** Kubernetes minor updates (control plane and pools). */
  minorUpdates: boolean;
  /** Machine image updates. */
  imageUpdates: boolean;
  /** Automatic credential rotations. */
  rotations: boolean;
}

export function scopeEffects(scope: ExclusionScope | undefined): ScopeEffects {
  switch (scope) {
    case undefined:
      return { run: true, minorUpdates: true, imageUpdates: true, rotations: true };
    case 'NoMinorUpgrades':
      return { run: true, minorUpdates: false, imageUpdates: true, rotations: true };
    case 'NoMinorOrImageUpgrades':
      return { run: true, minorUpdates: false, imageUpdates: false, rotations: false };
    case 'NoUpgrades':
      return { run: false, minorUpdates: false, imageUpdates: false, rotations: false };
  }
}
