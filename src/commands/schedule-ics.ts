// `schedule -o ics`: the rows as an RFC 5545 calendar (ical-generator), one VEVENT per occurrence:
// UID a hash of namespace/name and the occurrence's begin (stable across runs, so a calendar
// client updates an event instead of adding one), DTSTART/DTEND in UTC, DTSTAMP the --from
// instant (the output depends only on the inputs), SUMMARY the shoot and its changes, DESCRIPTION
// the details. Rows without an occurrence (a shoot that cannot be read) have no event.
import { createHash } from 'node:crypto';
import ical from 'ical-generator';
import { deferredText, restrictionText } from './plan-text.js';
import { rowSummary, type ScheduleRow } from './schedule-rows.js';

export const ICS_PRODUCT = { company: 'shoot-maintenance', product: 'schedule', language: 'EN' };
export const UID_DOMAIN = 'shoot-maintenance';

/** `<sha256(namespace/name@begin) first 32 hex>@shoot-maintenance`. */
export function eventUid(row: Pick<ScheduleRow, 'namespace' | 'name' | 'start'>): string {
  const hash = createHash('sha256').update(`${row.namespace}/${row.name}@${row.start ?? ''}`).digest('hex').slice(0, 32);
  return `${hash}@${UID_DOMAIN}`;
}

/** The SUMMARY: `garden-dev/outdated: Control plane: Kubernetes 1.32.0 -> 1.32.4 (…)` */
export function eventSummary(row: ScheduleRow): string {
  return `${row.shoot}: ${rowSummary(row)}`;
}

/** The DESCRIPTION: window, local times, each change, the freeze and what it defers, or the error. */
export function eventDescription(row: ScheduleRow): string {
  const lines = [`Shoot ${row.shoot}`];
  if (row.window) lines.push(`Window: ${row.window}`);
  lines.push(`Local: ${row.localStart ?? ''} – ${row.localEnd ?? ''}`);
  if (row.error !== null) lines.push(`Error: ${row.error}`);
  if (row.restriction) lines.push(`Freeze: ${restrictionText(row.restriction)}${row.suppressed ? ' — no run in this occurrence' : ''}`);
  for (const d of row.deferred) lines.push(`Deferred: ${deferredText(d)}`);
  if (!row.suppressed && row.error === null) {
    lines.push(...(row.changes.length > 0 ? row.changes.map((c) => `Change: ${c}`) : ['Changes: none']));
  }
  return lines.join('\n');
}

export function renderScheduleIcs(rows: readonly ScheduleRow[], from: Date): string {
  const calendar = ical({ name: 'Shoot maintenance', prodId: ICS_PRODUCT });
  for (const row of rows) {
    if (row.start === null || row.end === null) continue;
    calendar.createEvent({
      id: eventUid(row),
      start: new Date(row.start),
      end: new Date(row.end),
      stamp: from,
      summary: eventSummary(row),
      description: eventDescription(row),
    });
  }
  return calendar.toString();
}
