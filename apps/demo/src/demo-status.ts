import { newShare, type CountsByPath, type RecentTraffic } from "./checkout-stats";
import type { FailureMode } from "./failure-model";

/** `GET /` — what the demo is doing, as JSON a test or a person can read. */
export interface DemoStatus {
  mode: FailureMode;
  flag: string;
  requestsPerSecond: number;
  track: boolean;
  /** Since start, per path. */
  served: { new: number; old: number };
  errors: { new: number; old: number };
  newShare: number | null;
  /** The last whole seconds: what users get now. */
  recent: RecentTraffic;
  /** Whether anyone got the new path in the recent seconds (null: no traffic to tell). */
  flagOnForAnyone: boolean | null;
  /** The config version (change sequence number) the SDK serves, and how old its data is. */
  sdk: { configVersion: number | null; dataAgeMs: number | null };
}

export interface StatusInputs {
  mode: FailureMode;
  flag: string;
  requestsPerSecond: number;
  track: boolean;
  totals: CountsByPath;
  recent: RecentTraffic;
  configVersion: number | undefined;
  dataAgeMs: number | undefined;
}

export function demoStatus(inputs: StatusInputs): DemoStatus {
  const { totals, recent } = inputs;
  return {
    mode: inputs.mode,
    flag: inputs.flag,
    requestsPerSecond: inputs.requestsPerSecond,
    track: inputs.track,
    served: { new: totals.new.requests, old: totals.old.requests },
    errors: { new: totals.new.errors, old: totals.old.errors },
    newShare: newShare(totals),
    recent,
    flagOnForAnyone: recent.newShare === null ? null : recent.newShare > 0,
    sdk: { configVersion: inputs.configVersion ?? null, dataAgeMs: inputs.dataAgeMs ?? null },
  };
}

const percent = (part: number, whole: number) => (whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`);

/**
 * The line printed every few seconds: rate, error rate per path, the share on the new path and
 * what that says about the flag — the numbers a deploy guard judges, as the service sees them.
 */
export function statusLine(
  at: Date,
  mode: FailureMode,
  flag: string,
  periodSeconds: number,
  counts: CountsByPath,
  configVersion: number | undefined,
): string {
  const all = counts.new.requests + counts.old.requests;
  const time = at.toISOString().slice(11, 19);
  const errors = (path: keyof CountsByPath) =>
    `${path} ${percent(counts[path].errors, counts[path].requests)} (${counts[path].errors}/${counts[path].requests})`;
  const flagState =
    all === 0 ? "no traffic" : counts.new.requests === 0 ? "off for everyone" : `on for ${percent(counts.new.requests, all)} of users`;
  const version = configVersion === undefined ? "no flag data" : `config version ${configVersion}`;
  return `${time} ${mode.padEnd(10)} ${(all / periodSeconds).toFixed(0).padStart(4)} req/s | errors ${errors("new")}, ${errors("old")} | ${flag} ${flagState} (${version})`;
}
