// The webhook's rules for the schedule annotations (maintenance-schedule.ts; this project's, not
// Gardener's): a known IANA zone whose offsets include the window's `±hhmm`, a weekday list, and a
// warning when the schedule leaves little time to maintain.
import { type FieldError, invalid } from './field-errors.js';
import { formatGoDuration } from './go-duration.js';
import { DAYS_ANNOTATION, effectiveTimeWithin, parseDays, scheduleOf, TIME_ZONE_ANNOTATION } from './maintenance-schedule.js';
import { annotationsOf, type Shoot } from './shoot.js';
import { formatOffset, isKnownTimeZone, offsetsInUse } from './time-zone.js';
import { parseTimeWindow } from './timewindow.js';

/** The warning's threshold: at least this much effective time in WARNING_PERIOD_DAYS. */
export const MIN_EFFECTIVE_TIME_MS = 4 * 3600_000;
export const WARNING_PERIOD_DAYS = 28;

const annotationPath = (key: string): string => `metadata.annotations[${key}]`;

/** Field errors of the time-zone and days annotations (none when neither is set). */
export function scheduleAnnotationErrors(shoot: Shoot, now: Date): FieldError[] {
  const annotations = annotationsOf(shoot);
  const errors: FieldError[] = [];
  const zone = annotations[TIME_ZONE_ANNOTATION];
  if (zone !== undefined) {
    if (!isKnownTimeZone(zone)) {
      errors.push(invalid(annotationPath(TIME_ZONE_ANNOTATION), zone, 'unknown time zone: must be an IANA time zone such as "Europe/Berlin"'));
    } else {
      const window = shoot.spec.maintenance?.timeWindow;
      const parsed = window ? parseTimeWindow(window) : undefined;
      if (window && parsed?.ok) {
        const used = offsetsInUse(zone, now);
        for (const end of ['begin', 'end'] as const) {
          const offset = parsed.written[end].offsetSeconds / 60;
          if (!used.includes(offset)) {
            errors.push(
              invalid(
                `spec.maintenance.timeWindow.${end}`,
                window[end],
                `offset ${formatOffset(offset)} is not one time zone "${zone}" uses: ${used.map(formatOffset).join(', ')}`,
              ),
            );
          }
        }
      }
    }
  }
  const days = annotations[DAYS_ANNOTATION];
  if (days !== undefined) {
    const parsed = parseDays(days);
    if (!parsed.ok) errors.push(invalid(annotationPath(DAYS_ANNOTATION), days, parsed.error));
  }
  return errors;
}

/** `maintenance schedule leaves 1h0m0s of effective time in the next 28 days (less than 4h0m0s)`, or
 *  undefined (enough time, or no schedule annotation). */
export function scheduleWarning(shoot: Shoot, now: Date): string | undefined {
  const annotations = annotationsOf(shoot);
  if (annotations[TIME_ZONE_ANNOTATION] === undefined && annotations[DAYS_ANNOTATION] === undefined) return undefined;
  const total = effectiveTimeWithin(scheduleOf(shoot), now, WARNING_PERIOD_DAYS);
  if (total >= MIN_EFFECTIVE_TIME_MS) return undefined;
  return `maintenance schedule leaves ${formatGoDuration(total * 1e6)} of effective time in the next ${WARNING_PERIOD_DAYS} days (less than ${formatGoDuration(MIN_EFFECTIVE_TIME_MS * 1e6)})`;
}
