import { and, asc, desc, eq, gte, inArray, isNull, lt, max, or, type SQL } from "drizzle-orm";
import type { Db } from "./database";
import { deployAcks, deployCounts, deploys, deploySignals, type CountCursor, type StoredFlagOff } from "./deploy-schema";
import { changeLog, eventCounts, type CountSource } from "./schema";
import type { DeployDecision, PrometheusProgress } from "../deploys/types";

export type DeployRow = typeof deploys.$inferSelect;
export type NewDeploy = typeof deploys.$inferInsert;
export type DeploySignalRow = typeof deploySignals.$inferSelect;
export type DeployCountRow = typeof deployCounts.$inferSelect;
export type DeployAckRow = typeof deployAcks.$inferSelect;

export async function insertDeploy(db: Db, deploy: NewDeploy): Promise<DeployRow> {
  const [row] = await db.insert(deploys).values(deploy).returning();
  if (!row) throw new Error("deploys insert returned no row");
  return row;
}

export async function getDeploy(db: Db, id: string): Promise<DeployRow | undefined> {
  const [row] = await db.select().from(deploys).where(eq(deploys.id, id));
  return row;
}

export function listDeploys(
  db: Db,
  filter: { service?: string | undefined; environment?: string | undefined; limit: number },
): Promise<DeployRow[]> {
  const conditions: SQL[] = [];
  if (filter.service !== undefined) conditions.push(eq(deploys.service, filter.service));
  if (filter.environment !== undefined) conditions.push(eq(deploys.environmentKey, filter.environment));
  return db
    .select()
    .from(deploys)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(deploys.createdAt), desc(deploys.id))
    .limit(filter.limit);
}

/** Environments with an undecided deploy: SDKs there are asked to report their counts every second. */
export async function observedEnvironments(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ environmentKey: deploys.environmentKey }).from(deploys).where(eq(deploys.final, false));
  return rows.map((r) => r.environmentKey);
}

/**
 * Takes the lease on up to `limit` undecided deploys whose lease is free or expired, in one
 * statement: `FOR UPDATE SKIP LOCKED` keeps two replicas claiming at the same moment from
 * taking the same row, and the lease keeps them apart until it is released or expires.
 */
export async function claimDeploys(db: Db, owner: string, now: Date, leaseMs: number, limit: number): Promise<DeployRow[]> {
  const due = db
    .select({ id: deploys.id })
    .from(deploys)
    .where(and(eq(deploys.final, false), or(isNull(deploys.leaseExpiresAt), lt(deploys.leaseExpiresAt, now))))
    .orderBy(asc(deploys.createdAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(deploys)
    .set({ leaseOwner: owner, leaseExpiresAt: new Date(now.getTime() + leaseMs) })
    .where(inArray(deploys.id, due))
    .returning();
}

/** Writes only while `owner` still holds the lease; false when it was lost (expired and taken). */
export async function updateLeased(
  db: Db,
  id: string,
  owner: string,
  set: Partial<{
    flagsOff: StoredFlagOff[];
    countCursor: CountCursor;
    prometheus: PrometheusProgress;
    decision: DeployDecision;
    status: string;
    final: boolean;
    decidedAt: Date;
  }>,
  release = false,
): Promise<boolean> {
  const rows = await db
    .update(deploys)
    .set({ ...set, ...(release ? { leaseOwner: null, leaseExpiresAt: null } : {}) })
    .where(and(eq(deploys.id, id), eq(deploys.leaseOwner, owner)))
    .returning({ id: deploys.id });
  return rows.length > 0;
}

export async function releaseLease(db: Db, id: string, owner: string): Promise<void> {
  await db
    .update(deploys)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(deploys.id, id), eq(deploys.leaseOwner, owner)));
}

export async function insertSignals(db: Db, rows: Array<typeof deploySignals.$inferInsert>): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(deploySignals).values(rows);
}

export function listSignals(db: Db, deployId: string): Promise<DeploySignalRow[]> {
  return db.select().from(deploySignals).where(eq(deploySignals.deployId, deployId)).orderBy(asc(deploySignals.at), asc(deploySignals.id));
}

export async function insertCounts(db: Db, rows: Array<typeof deployCounts.$inferInsert>): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(deployCounts).values(rows);
}

export function listCounts(db: Db, deployId: string): Promise<DeployCountRow[]> {
  return db.select().from(deployCounts).where(eq(deployCounts.deployId, deployId)).orderBy(asc(deployCounts.at), asc(deployCounts.id));
}

/** `event_counts` rows of the environment from minute `since` on, for these events and sources. */
export function readEventCountsSince(db: Db, environmentKey: string, sources: CountSource[], events: string[], since: Date) {
  return db
    .select()
    .from(eventCounts)
    .where(
      and(
        eq(eventCounts.environmentKey, environmentKey),
        inArray(eventCounts.source, sources),
        inArray(eventCounts.event, events),
        gte(eventCounts.minute, since),
      ),
    );
}

export function listAcks(db: Db, deployId: string): Promise<DeployAckRow[]> {
  return db.select().from(deployAcks).where(eq(deployAcks.deployId, deployId));
}

/** Keeps the first acknowledgement of each instance: a later report must not move it. */
export async function insertAcks(db: Db, rows: DeployAckRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(deployAcks).values(rows).onConflictDoNothing();
}

/** The change seq of the last write to a flag's config in an environment (the version SDKs acknowledge). */
export async function latestConfigSeq(db: Db, environmentKey: string, flagKey: string): Promise<number> {
  const [row] = await db
    .select({ seq: max(changeLog.seq) })
    .from(changeLog)
    .where(and(eq(changeLog.environmentKey, environmentKey), eq(changeLog.entity, "flag-config"), eq(changeLog.key, flagKey)));
  return Number(row?.seq ?? 0);
}
