import { and, count, eq, gt, inArray, isNotNull, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "./database";
import { evaluationCounts, eventCounts, sdkInstances, type CountSource } from "./schema";

export type SdkInstanceRow = typeof sdkInstances.$inferSelect;

export interface InstanceReport {
  environmentKey: string;
  instanceId: string;
  sdk: string | null;
  /** The version it serves; undefined: none to acknowledge (not yet loaded, or another history). */
  version: number | undefined;
  at: Date;
  /** The relay the report came through; null: straight from the SDK (an instance may move). */
  relayId: string | null;
}

/**
 * Instances' metrics reports, at most one per instance, in slices of one statement each. A report
 * without an SDK name or a version leaves the stored ones as they are.
 */
export async function recordInstanceReports(db: Db, reports: readonly InstanceReport[]): Promise<void> {
  for (let start = 0; start < reports.length; start += MARK_SLICE) {
    await db
      .insert(sdkInstances)
      .values(
        reports.slice(start, start + MARK_SLICE).map((report) => ({
          environmentKey: report.environmentKey,
          instanceId: report.instanceId,
          sdk: report.sdk,
          lastSeenAt: report.at,
          lastReportAt: report.at,
          relayId: report.relayId,
          ackedVersion: report.version ?? null,
          ackedAt: report.version === undefined ? null : report.at,
        })),
      )
      .onConflictDoUpdate({
        target: [sdkInstances.environmentKey, sdkInstances.instanceId],
        set: {
          lastSeenAt: sql`excluded.last_seen_at`,
          lastReportAt: sql`excluded.last_report_at`,
          relayId: sql`excluded.relay_id`,
          sdk: sql`coalesce(excluded.sdk, ${sdkInstances.sdk})`,
          // `acked_at` is when the instance first reported the version it serves: later reports of
          // the same version (every metrics flush) must not move it, nor may a report that was
          // still in flight with an older version move the acknowledgement back (versions are
          // change seqs, and an SDK only moves forward through them). `greatest` skips a null.
          ackedVersion: sql`greatest(${sdkInstances.ackedVersion}, excluded.acked_version)`,
          ackedAt: sql`case when excluded.acked_version is not null and (${sdkInstances.ackedVersion} is null or ${sdkInstances.ackedAt} is null or excluded.acked_version > ${sdkInstances.ackedVersion}) then excluded.acked_at else ${sdkInstances.ackedAt} end`,
        },
      });
  }
}

/** Stream presence; an open stream is held by `relayId`'s relay, or by this server when null. */
export async function markStreams(
  db: Db,
  environmentKey: string,
  instanceIds: string[],
  seenAt: Date | null,
  relayId: string | null = null,
): Promise<void> {
  if (instanceIds.length === 0) return;
  if (seenAt === null) {
    await db
      .update(sdkInstances)
      .set({ streamSeenAt: null })
      .where(and(eq(sdkInstances.environmentKey, environmentKey), inArray(sdkInstances.instanceId, instanceIds)));
    return;
  }
  // In slices: a relay lists up to 10,000 instances, and one statement takes at most 65,535 parameters.
  for (let start = 0; start < instanceIds.length; start += MARK_SLICE) {
    await db
      .insert(sdkInstances)
      .values(
        instanceIds
          .slice(start, start + MARK_SLICE)
          .map((instanceId) => ({ environmentKey, instanceId, lastSeenAt: seenAt, streamSeenAt: seenAt, relayId })),
      )
      .onConflictDoUpdate({
        target: [sdkInstances.environmentKey, sdkInstances.instanceId],
        set: { streamSeenAt: seenAt, lastSeenAt: seenAt, relayId },
      });
  }
}

const MARK_SLICE = 2_000;

/** Closes the streams a relay held in an environment and no longer lists; returns how many. */
export async function closeRelayStreams(db: Db, environmentKey: string, relayId: string, stillOpen: string[]): Promise<number> {
  const closed = await db
    .update(sdkInstances)
    .set({ streamSeenAt: null })
    .where(
      and(
        eq(sdkInstances.environmentKey, environmentKey),
        eq(sdkInstances.relayId, relayId),
        isNotNull(sdkInstances.streamSeenAt),
        ...(stillOpen.length === 0 ? [] : [notInArray(sdkInstances.instanceId, stillOpen)]),
      ),
    )
    .returning({ instanceId: sdkInstances.instanceId });
  return closed.length;
}

export function listInstances(db: Db, environmentKey: string, seenSince: Date): Promise<SdkInstanceRow[]> {
  return db
    .select()
    .from(sdkInstances)
    .where(and(eq(sdkInstances.environmentKey, environmentKey), gt(sdkInstances.lastSeenAt, seenSince)))
    .orderBy(sdkInstances.instanceId);
}

export async function addEvaluationCounts(
  db: Db,
  rows: Array<{ environmentKey: string; flagKey: string; variation: number; hour: Date; count: number }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(evaluationCounts)
    .values(rows)
    .onConflictDoUpdate({
      target: [evaluationCounts.environmentKey, evaluationCounts.flagKey, evaluationCounts.variation, evaluationCounts.hour],
      set: { count: sql`${evaluationCounts.count} + excluded.count` },
    });
}

export async function addEventCounts(
  db: Db,
  rows: Array<{
    environmentKey: string;
    source: CountSource;
    event: string;
    flagKey: string;
    variation: number;
    minute: Date;
    count: number;
  }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(eventCounts)
    .values(rows)
    .onConflictDoUpdate({
      target: [
        eventCounts.environmentKey,
        eventCounts.source,
        eventCounts.event,
        eventCounts.flagKey,
        eventCounts.variation,
        eventCounts.minute,
      ],
      set: { count: sql`${eventCounts.count} + excluded.count` },
    });
}

export function readEvaluationCounts(db: Db, environmentKey: string) {
  return db.select().from(evaluationCounts).where(eq(evaluationCounts.environmentKey, environmentKey));
}

export function readEventCounts(db: Db, environmentKey: string) {
  return db.select().from(eventCounts).where(eq(eventCounts.environmentKey, environmentKey));
}

/** Event buckets older than `before` (the telemetry retention); returns how many it deleted. */
export async function pruneEventCounts(db: Db, before: Date): Promise<number> {
  const deleted = db
    .$with("deleted")
    .as(db.delete(eventCounts).where(lt(eventCounts.minute, before)).returning({ at: eventCounts.minute }));
  const [row] = await db.with(deleted).select({ n: count() }).from(deleted);
  return Number(row?.n ?? 0);
}

/** Instances that have not reported nor held a stream since `before`; returns how many it deleted. */
export async function pruneInstances(db: Db, before: Date): Promise<number> {
  const stale = and(lt(sdkInstances.lastSeenAt, before), or(isNull(sdkInstances.streamSeenAt), lt(sdkInstances.streamSeenAt, before)));
  const deleted = db.$with("deleted").as(db.delete(sdkInstances).where(stale).returning({ at: sdkInstances.lastSeenAt }));
  const [row] = await db.with(deleted).select({ n: count() }).from(deleted);
  return Number(row?.n ?? 0);
}

/** The distinct event names an environment has counts for. */
export async function listEventNames(db: Db, environmentKey: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ event: eventCounts.event })
    .from(eventCounts)
    .where(eq(eventCounts.environmentKey, environmentKey));
  return rows.map((r) => r.event);
}
