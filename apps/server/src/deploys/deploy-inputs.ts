import type { Db } from "../store/database";
import * as store from "../store/deploys";
import type { CountCursor, StoredFlagOff } from "../store/deploy-schema";
import { CountSources, type CountSource } from "../store/schema";
import { readInstances, type InstanceView } from "../services/sdk-usage";
import { acknowledgement } from "./propagation";
import {
  DEFAULT_ACKNOWLEDGE_RATIO,
  DEFAULT_RATE_SIGNALS,
  type CohortCount,
  type DecisionInput,
  type FlagOff,
  type GaugeSample,
  type Guard,
  type Propagation,
  type PropagationEvidence,
} from "./types";

/*
 * What the service feeds the pure engine. Two inputs need care:
 * - counts: `event_counts` is per minute, too coarse for 30-second intervals, so each worker
 *   tick copies what was added since the last tick into `deploy_counts`, timed between the two
 *   ticks (within the minute the SDK reported it in);
 * - acknowledgements: `sdk_instances` keeps only an instance's latest report, so each tick
 *   records the first time an instance was seen serving a flag-off.
 */

const MINUTE_MS = 60_000;
// Reports are counted in the minute they arrived; one still committing may land in the previous one.
const LATE_MINUTES = 1;
const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** The SDK events the guard's rate checks are computed from (`error`, `request` for `error_rate`). */
export function countedEvents(guard: Guard): string[] {
  const events = new Set<string>();
  for (const check of guard.checks) {
    const rate = Object.hasOwn(DEFAULT_RATE_SIGNALS, check.signal) ? DEFAULT_RATE_SIGNALS[check.signal] : undefined;
    if (rate !== undefined) {
      events.add(rate.event);
      events.add(rate.per);
    }
  }
  return [...events];
}

interface DeployCountScope {
  environmentKey: string;
  guard: Guard;
  flags: Array<{ key: string }>;
}

/** Server SDKs always; browsers, whose client token any web page ships, only when the deploy asks. */
export function countSources(guard: Guard): CountSource[] {
  return guard.browserCounts === true ? [CountSources.server, CountSources.browser] : [CountSources.server];
}

async function currentTotals(db: Db, scope: DeployCountScope, sinceMs: number) {
  const events = countedEvents(scope.guard);
  if (events.length === 0) return [];
  const flags = new Set(["", ...scope.flags.map((f) => f.key)]);
  const rows = await store.readEventCountsSince(db, scope.environmentKey, countSources(scope.guard), events, new Date(sinceMs));
  // Server keys keep the form cursors stored before counts had sources.
  const sourceSuffix = (source: CountSource) => (source === CountSources.server ? "" : `|${source}`);
  return rows
    .filter((r) => flags.has(r.flagKey))
    .map((r) => ({
      ...r,
      minuteMs: r.minute.getTime(),
      key: `${r.minute.getTime()}|${r.event}|${r.flagKey}|${r.variation}${sourceSuffix(r.source)}`,
    }));
}

/** At registration: what was already counted in the current minute is not the deploy's. */
export async function baselineCursor(db: Db, scope: DeployCountScope, now: Date): Promise<CountCursor> {
  const rows = await currentTotals(db, scope, minuteOf(now.getTime()) - LATE_MINUTES * MINUTE_MS);
  return { capturedAt: now.toISOString(), totals: Object.fromEntries(rows.map((r) => [r.key, r.count])) };
}

/** Copies the counts added since the cursor; returns the rows to insert and the next cursor. */
export async function newCounts(
  db: Db,
  deploy: store.DeployRow,
  now: Date,
): Promise<{ rows: Array<Omit<store.DeployCountRow, "id">>; cursor: CountCursor }> {
  const cursor = deploy.countCursor;
  const lastMs = Date.parse(cursor.capturedAt);
  const nowMs = Math.max(now.getTime(), lastMs);
  const totals = await currentTotals(db, deploy, minuteOf(lastMs) - LATE_MINUTES * MINUTE_MS);
  const rows: Array<Omit<store.DeployCountRow, "id">> = [];
  const next: Record<string, number> = {};
  for (const total of totals) {
    const delta = total.count - (cursor.totals[total.key] ?? 0);
    if (delta > 0) {
      // Arrived after the last capture and within its minute bucket: the middle of that span.
      const fromMs = Math.min(Math.max(total.minuteMs, lastMs), nowMs);
      const toMs = Math.max(Math.min(total.minuteMs + MINUTE_MS, nowMs), fromMs);
      const attributed = total.flagKey === "";
      rows.push({
        deployId: deploy.id,
        source: total.source,
        event: total.event,
        flag: attributed ? null : total.flagKey,
        variation: attributed ? null : total.variation,
        count: delta,
        at: new Date(Math.floor((fromMs + toMs) / 2)),
      });
    }
    if (total.minuteMs >= minuteOf(nowMs) - LATE_MINUTES * MINUTE_MS) next[total.key] = total.count;
  }
  return { rows, cursor: { capturedAt: new Date(nowMs).toISOString(), totals: next } };
}

export function connectedInstances(instances: InstanceView[]): InstanceView[] {
  return instances.filter((i) => i.connected);
}

/**
 * The instances a flag-off waits for: connected now and already running when it was made. One
 * that first appeared after it (a pod scaled up mid-deploy) loaded the flag-off at start; waiting
 * for its first report would turn a finished mitigation into a timeout.
 */
function instancesToAcknowledge(off: StoredFlagOff, instances: InstanceView[]): InstanceView[] {
  const disabledAtMs = Date.parse(off.disabledAt);
  return connectedInstances(instances).filter((i) => Date.parse(i.firstSeenAt) <= disabledAtMs);
}

/** First sightings of connected instances serving each flag-off, not yet recorded. */
export function newAcks(
  deployId: string,
  flagsOff: StoredFlagOff[],
  instances: InstanceView[],
  known: store.DeployAckRow[],
): store.DeployAckRow[] {
  const seen = new Set(known.map((a) => `${a.flag}|${a.instanceId}`));
  const rows: store.DeployAckRow[] = [];
  for (const off of flagsOff) {
    for (const instance of connectedInstances(instances)) {
      if (instance.ackedVersion === null || instance.ackedVersion < off.seq || instance.ackedAt === null) continue;
      if (seen.has(`${off.flag}|${instance.instanceId}`)) continue;
      rows.push({ deployId, flag: off.flag, instanceId: instance.instanceId, acknowledgedAt: new Date(instance.ackedAt) });
    }
  }
  return rows;
}

/*
 * The engine sees the flag-off's config version (what people read in the summary); whether an
 * instance serves it was settled above against the change seq, which is what SDKs report.
 */
export function propagationOf(flagsOff: StoredFlagOff[], instances: InstanceView[], acks: store.DeployAckRow[]): Propagation[] {
  return flagsOff.map((off) => ({
    flag: off.flag,
    version: off.configVersion,
    instances: instancesToAcknowledge(off, instances).map((instance) => ({
      acknowledgedAt: acks.find((a) => a.flag === off.flag && a.instanceId === instance.instanceId)?.acknowledgedAt ?? null,
    })),
  }));
}

const engineFlagOff = (off: StoredFlagOff): FlagOff => ({
  flag: off.flag,
  disabledAt: new Date(off.disabledAt),
  version: off.configVersion,
});

/** Propagation as `GET /api/deploys/:id` shows it, per flag the deploy turned off. */
export function propagationViews(
  guard: Guard,
  flagsOff: StoredFlagOff[],
  instances: InstanceView[],
  acks: store.DeployAckRow[],
  now: Date,
) {
  const ratio = guard.acknowledgeRatio ?? DEFAULT_ACKNOWLEDGE_RATIO;
  // Sightings the worker has not recorded yet count too: this view is read between ticks.
  const propagation = propagationOf(flagsOff, instances, [...acks, ...newAcks("", flagsOff, instances, acks)]);
  return flagsOff.map((off): PropagationEvidence & { flag: string; seq: number } => {
    const { evidence } = acknowledgement(
      engineFlagOff(off),
      propagation.find((p) => p.flag === off.flag),
      ratio,
      now.getTime(),
    );
    return { flag: off.flag, ...evidence, seq: off.seq };
  });
}

export async function readDeployInstances(db: Db, deploy: store.DeployRow, now: Date): Promise<InstanceView[]> {
  return deploy.flagsOff.length === 0 ? [] : readInstances(db, deploy.environmentKey, now);
}

/** Everything since the deploy started, as the engine takes it. */
export async function decisionInput(db: Db, deploy: store.DeployRow, instances: InstanceView[], now: Date): Promise<DecisionInput> {
  const [signals, counts, acks] = await Promise.all([
    store.listSignals(db, deploy.id),
    store.listCounts(db, deploy.id),
    store.listAcks(db, deploy.id),
  ]);
  const samples: GaugeSample[] = signals.map((s) => ({
    signal: s.signal,
    value: s.value,
    at: s.at,
    ...(s.flag === null ? {} : { flag: s.flag }),
    ...(s.variation === null ? {} : { variation: s.variation }),
  }));
  const cohortCounts: CohortCount[] = counts.map((c) => ({
    event: c.event,
    count: c.count,
    at: c.at,
    ...(c.flag === null ? {} : { flag: c.flag }),
    ...(c.variation === null ? {} : { variation: c.variation }),
  }));
  return {
    guard: deploy.guard,
    startedAt: deploy.createdAt,
    flags: deploy.flags,
    samples,
    counts: cohortCounts,
    flagsOff: deploy.flagsOff.map(engineFlagOff),
    propagation: propagationOf(deploy.flagsOff, instances, acks),
    ...(deploy.decision === null ? {} : { previous: deploy.decision }),
    now,
  };
}
