import type { Logger } from "pino";
import type { Db } from "../store/database";
import { addEvaluationCounts, addEventCounts, listInstances, markStreams, recordInstanceReport } from "../store/sdk-usage";
import type { InstanceTracker } from "../stream/hub";
import type { LiveState } from "./live-state";

/** An instance counts as connected while its stream was seen within this window (3 heartbeats). */
export const CONNECTED_WINDOW_MS = 45_000;

export interface MetricsReport {
  instanceId: string;
  sdk?: string | undefined;
  version?: number | undefined;
  evaluations: Array<{ flag: string; variation: number; count: number }>;
  events: Array<{ event: string; flag?: string | undefined; variation?: number | undefined; count: number }>;
}

export interface MetricsReceipt {
  accepted: { evaluations: number; events: number };
  /** Counts for flags this environment does not have (archived, or a typo in `track`) are dropped. */
  ignored: { evaluations: number; events: number };
}

const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000);

export async function recordMetrics(
  deps: { db: Db; live: LiveState },
  environmentKey: string,
  report: MetricsReport,
  at = new Date(),
): Promise<MetricsReceipt> {
  const view = deps.live.environment(environmentKey);
  const known = (flag: string, variation: number) => {
    const definition = view?.flagsByKey.get(flag);
    return definition !== undefined && variation < definition.variations.length;
  };
  const evaluations = report.evaluations.filter((e) => known(e.flag, e.variation));
  const events = report.events.filter((e) => e.flag === undefined || known(e.flag, e.variation ?? 0));
  await deps.db.transaction(async (tx) => {
    await recordInstanceReport(tx, { environmentKey, instanceId: report.instanceId, sdk: report.sdk ?? null, version: report.version, at });
    await addEvaluationCounts(
      tx,
      merge(evaluations.map((e) => ({ environmentKey, flagKey: e.flag, variation: e.variation, hour: hourOf(at), count: e.count }))),
    );
    await addEventCounts(
      tx,
      merge(
        events.map((e) => ({
          environmentKey,
          event: e.event,
          flagKey: e.flag ?? "",
          variation: e.flag === undefined ? -1 : (e.variation ?? 0),
          minute: minuteOf(at),
          count: e.count,
        })),
      ),
    );
  });
  return {
    accepted: { evaluations: evaluations.length, events: events.length },
    ignored: { evaluations: report.evaluations.length - evaluations.length, events: report.events.length - events.length },
  };
}

/** One row per primary key: a report may repeat a key, and one INSERT cannot upsert a row twice. */
function merge<T extends { count: number }>(rows: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const { count, ...rest } = row;
    const key = JSON.stringify(rest);
    const existing = byKey.get(key);
    byKey.set(key, existing ? { ...existing, count: existing.count + count } : row);
  }
  return [...byKey.values()];
}

export interface InstanceView {
  instanceId: string;
  sdk: string | null;
  ackedVersion: number | null;
  ackedAt: string | null;
  connected: boolean;
  /** When the server first heard of the instance (its first stream or report). */
  firstSeenAt: string;
  lastSeenAt: string;
}

export async function readInstances(db: Db, environmentKey: string, now = new Date()): Promise<InstanceView[]> {
  const rows = await listInstances(db, environmentKey, new Date(now.getTime() - 24 * 3_600_000));
  return rows.map((r) => ({
    instanceId: r.instanceId,
    sdk: r.sdk,
    ackedVersion: r.ackedVersion,
    ackedAt: r.ackedAt?.toISOString() ?? null,
    connected: r.streamSeenAt !== null && now.getTime() - r.streamSeenAt.getTime() < CONNECTED_WINDOW_MS,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
  }));
}

/** Writes stream presence to the database so every replica (and the deploy hook) sees it. */
export function databaseInstanceTracker(db: Db, logger: Logger): InstanceTracker {
  const report = (what: string) => (error: unknown) => logger.warn({ err: error }, `could not record SDK instance ${what}`);
  return {
    connected: (environmentKey, instanceId) => void markStreams(db, environmentKey, [instanceId], new Date()).catch(report("connection")),
    disconnected: (environmentKey, instanceId) => void markStreams(db, environmentKey, [instanceId], null).catch(report("disconnection")),
    stillConnected(instances) {
      const byEnvironment = new Map<string, string[]>();
      for (const i of instances) byEnvironment.set(i.environmentKey, [...(byEnvironment.get(i.environmentKey) ?? []), i.instanceId]);
      const now = new Date();
      for (const [environmentKey, ids] of byEnvironment) void markStreams(db, environmentKey, ids, now).catch(report("heartbeat"));
    },
  };
}
