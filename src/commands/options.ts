// What the commands share on their command lines: log levels, repeatable flags, `--now`, duration
// flags (Go syntax, src/core/go-duration.ts) and stopping on SIGTERM/SIGINT.
import { parseGoDuration } from '../core/go-duration.js';

/** pino's levels, as `--log-level` accepts them. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Throws the one-line error for a `--log-level` that is not one of LOG_LEVELS. */
export function checkLogLevel(level: string): void {
  if (!LOG_LEVELS.includes(level)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
}

/** commander's collector for a repeatable flag. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--now ISO`: an ISO 8601 instant (date and time), default the current time. */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw new Error(`--now ${JSON.stringify(value)} is not an ISO 8601 instant`);
  return new Date(ms);
}

/** A duration flag (`15s`, `1m30s`, `500ms`, `2h`) in milliseconds; not negative. */
export function parseDurationFlag(value: string): number {
  const ns = parseGoDuration(value.trim());
  if (ns === undefined || ns < 0) throw new Error(`invalid duration ${JSON.stringify(value)} (use e.g. 15s, 1m30s, 500ms)`);
  return ns / 1e6;
}

/** Calls `stop` once, on the first SIGTERM or SIGINT. */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  const once = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', () => once('SIGTERM'));
  process.on('SIGINT', () => once('SIGINT'));
}

/** The feature gates this project knows, with their defaults (gardener/gardener pkg/features/features.go). */
export const FEATURE_GATE_DEFAULTS = { VersionClassificationLifecycle: false } as const;

export type FeatureGateName = keyof typeof FEATURE_GATE_DEFAULTS;
export type FeatureGates = Record<FeatureGateName, boolean>;

/** `--feature-gates Name=true|false[,Name=…]` (Kubernetes' syntax, component-base featuregate.Set);
 *  undefined gives the defaults. An unknown name or a value other than true/false is an error naming the known gates. */
export function parseFeatureGates(value: string | undefined): FeatureGates {
  const gates: FeatureGates = { ...FEATURE_GATE_DEFAULTS };
  const known = Object.keys(FEATURE_GATE_DEFAULTS).join(', ');
  for (const part of (value ?? '').split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const [name = '', setting, ...rest] = item.split('=').map((s) => s.trim());
    if (!Object.hasOwn(FEATURE_GATE_DEFAULTS, name)) {
      throw new Error(`--feature-gates: unknown feature gate ${JSON.stringify(name)} (known gates: ${known})`);
    }
    if (rest.length > 0 || (setting !== 'true' && setting !== 'false')) {
      throw new Error(`--feature-gates: invalid value of ${name}: ${JSON.stringify(item)}, expected ${name}=true or ${name}=false (known gates: ${known})`);
    }
    gates[name as FeatureGateName] = setting === 'true';
  }
  return gates;
}

/** The help text of `--feature-gates`, the same on every command. */
export const FEATURE_GATES_HELP = `feature gates, Name=true|false[,Name=...] (known: ${Object.entries(FEATURE_GATE_DEFAULTS)
  .map(([name, on]) => `${name}, default ${on}`)
  .join('; ')})`;
