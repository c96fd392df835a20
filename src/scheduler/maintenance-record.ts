// The record of a maintenance run, written into the Shoot in the SAME update that changes its
// spec, so that a scheduler killed between that update and the status patch leaves a trace: the
// next leader finds the annotation, writes `status.lastMaintenance` and the Events from it, and
// removes it. Without it the shoot would be maintained but carry no record (RELIABILITY.md §4).
import type { PlannedEvent } from '../core/maintenance-messages.js';
import type { LastMaintenance, Shoot } from '../core/shoot.js';

export const MAINTENANCE_RECORD_ANNOTATION = 'maintenance.gardener.cloud/last-maintenance';

export interface MaintenanceRecord {
  lastMaintenance: LastMaintenance;
  events: PlannedEvent[];
}

/** The shoot with the record set (a copy of the metadata; the spec is shared). */
export function withMaintenanceRecord(shoot: Shoot, record: MaintenanceRecord): Shoot {
  const annotations = { ...(shoot.metadata.annotations ?? {}), [MAINTENANCE_RECORD_ANNOTATION]: JSON.stringify(record) };
  return { ...shoot, metadata: { ...shoot.metadata, annotations } };
}

function isRecord(value: unknown): value is MaintenanceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { lastMaintenance, events } = value as Partial<MaintenanceRecord>;
  return (
    typeof lastMaintenance === 'object' &&
    lastMaintenance !== null &&
    typeof lastMaintenance.description === 'string' &&
    typeof lastMaintenance.triggeredTime === 'string' &&
    typeof lastMaintenance.state === 'string' &&
    Array.isArray(events) &&
    events.every((e) => typeof e?.type === 'string' && typeof e.reason === 'string' && typeof e.message === 'string')
  );
}

/**
 * The unfinished record a shoot carries: `undefined` when there is none, `null` when the annotation
 * is there but unreadable (someone edited it: it is removed without being applied).
 */
export function maintenanceRecordOf(shoot: Shoot): MaintenanceRecord | null | undefined {
  const text = shoot.metadata.annotations?.[MAINTENANCE_RECORD_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
