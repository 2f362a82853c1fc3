import type { InstanceView } from "../services/sdk-usage";
import type { LateInstance, PhaseResult } from "./types";

/** One write the connected instances must acknowledge: its config version, change seq and time. */
export interface Write {
  version: number;
  seq: number;
  writtenAtMs: number;
}

/** An instance waited for, and when it was first seen serving the write (null: not yet). */
export interface Tracked {
  instance: InstanceView;
  acknowledgedAtMs: number | null;
}

/**
 * The instances a write waits for: connected (an open stream) and already known when it was
 * made. One that connects later loads the new config with its first snapshot.
 */
export function instancesToWaitFor(instances: InstanceView[], write: Write): Tracked[] {
  return instances
    .filter((i) => i.connected && Date.parse(i.firstSeenAt) <= write.writtenAtMs)
    .map((instance) => ({ instance, acknowledgedAtMs: null }));
}

/**
 * Records the first acknowledgement of each tracked instance from a fresh read of the instances.
 * An instance acknowledges when it reports serving a change seq ≥ the write's; `ackedAt` is when
 * its report of that version arrived.
 */
export function recordAcknowledgements(tracked: Tracked[], instances: InstanceView[], write: Write): Tracked[] {
  const byId = new Map(instances.map((i) => [i.instanceId, i]));
  return tracked.map((t) => {
    if (t.acknowledgedAtMs !== null) return t;
    const now = byId.get(t.instance.instanceId);
    if (now === undefined || now.ackedVersion === null || now.ackedVersion < write.seq || now.ackedAt === null)
      return { ...t, instance: now ?? t.instance };
    return { instance: now, acknowledgedAtMs: Math.max(Date.parse(now.ackedAt), write.writtenAtMs) };
  });
}

export const allAcknowledged = (tracked: Tracked[]) => tracked.every((t) => t.acknowledgedAtMs !== null);

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
}

/** `switchyard-node/0.1.0` → name and version; an SDK that sent no version has none. */
export function splitSdk(sdk: string | null): { sdk: string | null; sdkVersion: string | null } {
  if (sdk === null) return { sdk: null, sdkVersion: null };
  const slash = sdk.lastIndexOf("/");
  return slash <= 0 ? { sdk, sdkVersion: null } : { sdk: sdk.slice(0, slash), sdkVersion: sdk.slice(slash + 1) };
}

/**
 * The phase as the rehearsal reports it: write → acknowledgement over the instances that
 * acknowledged, and every instance that did not within `targetMs` — with its SDK and its own
 * last report, which for a stopped process is the moment it froze.
 */
export function phaseResult(write: Write, tracked: Tracked[], targetMs: number): PhaseResult {
  const delays = tracked
    .flatMap((t) => (t.acknowledgedAtMs === null ? [] : [t.acknowledgedAtMs - write.writtenAtMs]))
    .sort((a, b) => a - b);
  const late: LateInstance[] = tracked
    .filter((t) => t.acknowledgedAtMs === null || t.acknowledgedAtMs - write.writtenAtMs > targetMs)
    .map((t) => ({
      instanceId: t.instance.instanceId,
      ...splitSdk(t.instance.sdk),
      lastSeenAt: t.instance.lastReportAt ?? t.instance.firstSeenAt,
      acknowledgedMs: t.acknowledgedAtMs === null ? null : t.acknowledgedAtMs - write.writtenAtMs,
    }))
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  return {
    version: write.version,
    seq: write.seq,
    writtenAt: new Date(write.writtenAtMs).toISOString(),
    connected: tracked.length,
    acknowledged: tracked.length - late.length,
    p50Ms: percentile(delays, 0.5),
    maxMs: delays.at(-1) ?? null,
    late,
  };
}
