import type { FlagOff, Propagation, PropagationEvidence } from "./types";

export interface Acknowledgement {
  evidence: PropagationEvidence;
  /** When the required share of instances served the flag-off version; null while short of it. */
  acknowledgedAtMs: number | null;
}

/**
 * When did `ratio` of the connected instances serve the flag-off config? From each instance's
 * first acknowledgement of a version ≥ the flag-off version, the k-th earliest, k = ⌈ratio ×
 * connected⌉. With no instance connected nothing serves a stale config, so the flag-off counts
 * as acknowledged when it was made. Without a propagation report for that version, it is not.
 */
export function acknowledgement(off: FlagOff, propagation: Propagation | undefined, ratio: number, nowMs: number): Acknowledgement {
  const disabledAtMs = off.disabledAt.getTime();
  if (propagation === undefined || propagation.version < off.version) {
    return {
      evidence: { version: off.version, acknowledged: 0, connected: 0, requiredRatio: ratio, acknowledgedAt: null, seconds: null },
      acknowledgedAtMs: null,
    };
  }
  const connected = propagation.instances.length;
  const times = propagation.instances
    .map((instance) => instance.acknowledgedAt?.getTime())
    .filter((at): at is number => at !== undefined && at <= nowMs)
    .sort((a, b) => a - b);
  // The epsilon keeps 0.95 × 20 = 19 from rounding up to 20 in binary floating point.
  const needed = Math.ceil(ratio * connected - 1e-9);
  const kth = needed === 0 ? disabledAtMs : times[needed - 1];
  const acknowledgedAtMs = kth === undefined ? null : Math.max(kth, disabledAtMs);
  return {
    evidence: {
      version: propagation.version,
      acknowledged: times.length,
      connected,
      requiredRatio: ratio,
      acknowledgedAt: acknowledgedAtMs === null ? null : new Date(acknowledgedAtMs).toISOString(),
      seconds: acknowledgedAtMs === null ? null : (acknowledgedAtMs - disabledAtMs) / 1000,
    },
    acknowledgedAtMs,
  };
}
