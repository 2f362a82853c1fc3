import type { Logger } from "pino";
import { fail, ok, type Result } from "../errors";
import type { Db } from "../store/database";
import { isPostgresError, PostgresErrors } from "../store/postgres-errors";
import { CountSources, type CountSource } from "../store/schema";
import { addEvaluationCounts, addEventCounts, listEventNames, listInstances, markStreams, recordInstanceReports } from "../store/sdk-usage";
import { capsEachEntry, keptCounts, type EvaluationCount, type EventCount } from "./report-counts";
import type { InstanceTracker } from "../live/hub";
import type { ReadSide } from "../live/read-side";

/** An instance counts as connected while its stream was seen within this window (3 heartbeats). */
export const CONNECTED_WINDOW_MS = 45_000;

export interface MetricsReport {
  instanceId: string;
  sdk?: string | undefined;
  version?: number | undefined;
  /** The database history `version` counts in; a version from another history acknowledges nothing. */
  epoch?: string | undefined;
  evaluations: EvaluationCount[];
  events: EventCount[];
}

export interface MetricsReceipt {
  accepted: { evaluations: number; events: number };
  /** Counts for flags this environment does not have (archived, or a typo in `track`) are dropped. */
  ignored: { evaluations: number; events: number };
  /** Browser reports only: entries whose count was cut to `BROWSER_COUNT_CAP`. */
  capped?: { evaluations: number; events: number };
  /** Present when events were dropped because the environment has `MAX_EVENT_NAMES` names already. */
  eventNamesFull?: { limit: number; dropped: number };
}

/**
 * The most distinct event names an environment keeps counts for. Names are free text from any
 * SDK or web page; without a cap a client token could fill the table with made-up names. Counts
 * for names the environment already has keep flowing once it is full. Per replica: the names
 * are loaded once and tracked in memory, so with N replicas the cap may be passed by what N
 * replicas admit at the same moment.
 */
export const MAX_EVENT_NAMES = 500;

const knownEventNames = new WeakMap<Db, Map<string, Promise<Set<string>>>>();

/** After a prune: names whose counts are gone no longer take room. */
export function forgetEventNames(db: Db): void {
  knownEventNames.delete(db);
}

/** The names an environment has, loaded once per replica. */
function eventNamesOf(db: Db, environmentKey: string): Promise<Set<string>> {
  let byEnvironment = knownEventNames.get(db);
  if (!byEnvironment) knownEventNames.set(db, (byEnvironment = new Map()));
  let names = byEnvironment.get(environmentKey);
  if (!names) {
    names = listEventNames(db, environmentKey).then((list) => new Set(list));
    names.catch(() => byEnvironment.delete(environmentKey));
    byEnvironment.set(environmentKey, names);
  }
  return names;
}

/** Keeps events whose name the environment has or still has room for; counts the others. */
export async function withinEventNameCap<T extends { event: string }>(
  db: Db,
  environmentKey: string,
  events: T[],
): Promise<{ kept: T[]; dropped: number }> {
  if (events.length === 0) return { kept: events, dropped: 0 };
  const names = await eventNamesOf(db, environmentKey);
  const kept: T[] = [];
  for (const e of events) {
    if (!names.has(e.event) && names.size >= MAX_EVENT_NAMES) continue;
    names.add(e.event);
    kept.push(e);
  }
  return { kept, dropped: events.length - kept.length };
}

const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000);

/**
 * Stores a report's counts under their source. Only server SDKs acknowledge versions: a browser
 * report never touches `sdk_instances`, so a client token cannot claim a flag-off was served by an
 * instance (not even by naming a real server instance's id).
 */
export async function recordMetrics(
  deps: { db: Db; live: ReadSide },
  from: { environmentKey: string; source: CountSource; relayId?: string | undefined },
  report: MetricsReport,
  at = new Date(),
): Promise<Result<MetricsReceipt>> {
  const { environmentKey, source } = from;
  const kept = keptCounts(deps.live.environment(environmentKey), report, capsEachEntry(source));
  const named = await withinEventNameCap(deps.db, environmentKey, kept.events);
  const written = await deps.db
    .transaction(async (tx) => {
      if (source === CountSources.server)
        await recordInstanceReports(tx, [
          {
            environmentKey,
            instanceId: report.instanceId,
            sdk: report.sdk ?? null,
            version: servedVersion(deps.live, report),
            at,
            relayId: from.relayId ?? null,
          },
        ]);
      await addCounts(tx, [{ environmentKey, source, evaluations: kept.evaluations, events: named.kept }], at);
    })
    .then(
      () => true,
      (error: unknown) => {
        // The environment was deleted after the token was checked: its tokens are gone with it.
        if (isPostgresError(error, PostgresErrors.foreignKeyViolation)) return false;
        throw error;
      },
    );
  if (!written) return fail("NOT_FOUND", `The environment '${environmentKey}' was deleted`);
  return ok({
    accepted: { evaluations: kept.evaluations.length, events: named.kept.length },
    ignored: kept.ignored,
    ...(source === CountSources.browser ? { capped: kept.capped } : {}),
    ...(named.dropped > 0 ? { eventNamesFull: { limit: MAX_EVENT_NAMES, dropped: named.dropped } } : {}),
  });
}

/** The version a server SDK's report acknowledges; none from another database history. */
export function servedVersion(live: Pick<ReadSide, "epoch">, report: { version?: number | undefined; epoch?: string | undefined }) {
  // An SDK still serving data from before a restore reports versions this database has not
  // reached: counting them would acknowledge flag-offs it never received.
  return report.epoch === undefined || report.epoch === live.epoch ? report.version : undefined;
}

/** Counts kept for one environment and source (see `keptCounts`). */
export interface CountGroup {
  environmentKey: string;
  source: CountSource;
  evaluations: EvaluationCount[];
  events: EventCount[];
}

/** Rows per statement: an event row binds 7 parameters, and one statement takes at most 65,535. */
const COUNT_SLICE = 2_000;

/** Adds counts to this hour's evaluation rows and this minute's event rows. */
export async function addCounts(tx: Db, groups: CountGroup[], at: Date): Promise<void> {
  const hour = hourOf(at);
  const minute = minuteOf(at);
  const evaluations = merge(
    groups.flatMap((g) =>
      g.evaluations.map((e) => ({ environmentKey: g.environmentKey, flagKey: e.flag, variation: e.variation, hour, count: e.count })),
    ),
  );
  const events = merge(
    groups.flatMap((g) =>
      g.events.map((e) => ({
        environmentKey: g.environmentKey,
        source: g.source,
        event: e.event,
        flagKey: e.flag ?? "",
        variation: e.flag === undefined ? -1 : (e.variation ?? 0),
        minute,
        count: e.count,
      })),
    ),
  );
  for (let start = 0; start < evaluations.length; start += COUNT_SLICE)
    await addEvaluationCounts(tx, evaluations.slice(start, start + COUNT_SLICE));
  for (let start = 0; start < events.length; start += COUNT_SLICE) await addEventCounts(tx, events.slice(start, start + COUNT_SLICE));
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
  /** The instance's own last metrics report (stream heartbeats do not move it); null: none yet. */
  lastReportAt: string | null;
  /** The relay the instance reports or streams through; null: connected to the server directly. */
  relayId: string | null;
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
    lastReportAt: r.lastReportAt?.toISOString() ?? null,
    relayId: r.relayId,
  }));
}

/** Writes stream presence to the database so every replica (and the deploy hook) sees it. */
export function databaseInstanceTracker(db: Db, logger: Logger): InstanceTracker {
  // One write at a time, in the order the hub saw things: a heartbeat's write that lands after a
  // disconnection's would mark a closed stream connected again, for the whole connected window
  // (a deploy would then wait for an instance that is gone).
  let last: Promise<void> = Promise.resolve();
  const write = (what: string, work: () => Promise<void>) => {
    last = last.then(work).catch((error: unknown) => logger.warn({ err: error }, `could not record SDK instance ${what}`));
  };
  return {
    connected: (environmentKey, instanceId) => write("connection", () => markStreams(db, environmentKey, [instanceId], new Date())),
    disconnected: (environmentKey, instanceId) => write("disconnection", () => markStreams(db, environmentKey, [instanceId], null)),
    stillConnected(instances) {
      const byEnvironment = new Map<string, string[]>();
      for (const i of instances) byEnvironment.set(i.environmentKey, [...(byEnvironment.get(i.environmentKey) ?? []), i.instanceId]);
      const now = new Date();
      for (const [environmentKey, ids] of byEnvironment) write("heartbeat", () => markStreams(db, environmentKey, ids, now));
    },
  };
}
