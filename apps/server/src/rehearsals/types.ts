/**
 * A rollback rehearsal's vocabulary: what was measured in each phase (the flag-off, then the
 * restore) and the verdict. Stored as JSON with the rehearsal and served as is.
 */

export const RehearsalStatuses = {
  running: "running",
  /** Every connected instance acknowledged both the flag-off and the restore within the target. */
  passed: "passed",
  /** Some instance acknowledged late or never. */
  failed: "failed",
  /** The rehearsal could not run its course (no flag-off, a refused restore). */
  error: "error",
} as const;
export type RehearsalStatus = (typeof RehearsalStatuses)[keyof typeof RehearsalStatuses];

export const DEFAULT_TARGET_MS = 2_000;

/** An instance that did not acknowledge within the target: who it is, and when it was last heard from. */
export interface LateInstance {
  instanceId: string;
  /** The SDK's name and version from its reports (`switchyard-node`, `0.1.0`); null before its first report. */
  sdk: string | null;
  sdkVersion: string | null;
  /** Its own last report, or its connection when it never reported. */
  lastSeenAt: string;
  /** Write → its acknowledgement, when it came after the target; null: none by the end of the wait. */
  acknowledgedMs: number | null;
}

/** One write (the flag-off or the restore) and how it reached the connected instances. */
export interface PhaseResult {
  /** The flag config version written, and the change seq instances acknowledge. */
  version: number;
  seq: number;
  writtenAt: string;
  /** Instances with an open stream when the write was made: the ones waited for. */
  connected: number;
  /** Of those, how many acknowledged within the target. */
  acknowledged: number;
  /** Write → acknowledgement over the instances that acknowledged (null: none did). */
  p50Ms: number | null;
  maxMs: number | null;
  late: LateInstance[];
}

export interface RehearsalResult {
  /** When the synthetic breaching samples were pushed, and when the deploy worker turned the flag off. */
  detection: { samplesAt: string; flagOffAt: string; ms: number } | null;
  flagOff: PhaseResult | null;
  restore: PhaseResult | null;
  /** What went wrong, for status `error` (and a restore that could not be made). */
  problem: string | null;
}

export interface RehearsalView extends RehearsalResult {
  id: string;
  environment: string;
  flag: string;
  deployId: string | null;
  status: RehearsalStatus;
  targetMs: number;
  summary: string;
  createdBy: string;
  startedAt: string;
  finishedAt: string | null;
}
