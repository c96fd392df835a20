// `schedule -o table`: one line per row, sorted by start, in columns: the UTC start and end of the
// effective occurrence, the local start (with its offset) and zone, the shoot, and what the run
// would do (schedule-rows.ts, rowSummary); a freeze's name and scope where it suppresses or
// restricts the run. Then the shoots that cannot be planned, with their errors.
import { rowSummary, type ScheduleRow } from './schedule-rows.js';

const HEADER = ['START (UTC)', 'END (UTC)', 'LOCAL START', 'ZONE', 'SHOOT', 'RUN'] as const;

/** `2026-10-25T00:00:00Z` → `2026-10-25 00:00`. */
function short(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/:\d{2}(Z|[+-]\d{2}:\d{2})$/, '$1').replace(/Z$/, '');
}

function zoneOf(row: ScheduleRow): string {
  const zone = row.timeZone ?? 'UTC';
  return row.days === null ? zone : `${zone} ${row.days.join(',')}`;
}

export function renderScheduleTable(rows: readonly ScheduleRow[], from: Date, to: Date): string {
  const body = rows.map((r) => [short(r.start), short(r.end), short(r.localStart), zoneOf(r), r.shoot, rowSummary(r)]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const title = `Maintenance from ${from.toISOString().replace('.000Z', 'Z')} to ${to.toISOString().replace('.000Z', 'Z')}: ${rows.filter((r) => r.start !== null).length} runs`;
  if (rows.length === 0) return `${title}\n`;
  return `${[title, line(HEADER), ...body.map(line)].join('\n')}\n`;
}
