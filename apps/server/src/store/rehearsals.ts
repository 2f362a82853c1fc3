import { and, desc, eq, inArray, isNull, lt, max, type SQL } from "drizzle-orm";
import type { Db } from "./database";
import { deploys } from "./deploy-schema";
import { isPostgresError, PostgresErrors } from "./postgres-errors";
import { rehearsals } from "./rehearsal-schema";
import type { RehearsalResult, RehearsalStatus } from "../rehearsals/types";

export type RehearsalRow = typeof rehearsals.$inferSelect;

/** Undefined when the flag already has a running rehearsal in the environment (`rehearsals_running_idx`). */
export async function insertRehearsal(db: Db, row: typeof rehearsals.$inferInsert): Promise<RehearsalRow | undefined> {
  try {
    const [inserted] = await db.insert(rehearsals).values(row).returning();
    return inserted;
  } catch (error) {
    if (isPostgresError(error, PostgresErrors.uniqueViolation)) return undefined;
    throw error;
  }
}

/** Rows still `running` that started before `before` died with their replica: they end as `error`. */
export async function abandonRehearsals(db: Db, flagKey: string, environmentKey: string, before: Date): Promise<void> {
  await db
    .update(rehearsals)
    .set({ status: "error", summary: "error: abandoned (the server stopped during the rehearsal)", finishedAt: new Date() })
    .where(
      and(
        eq(rehearsals.flagKey, flagKey),
        eq(rehearsals.environmentKey, environmentKey),
        eq(rehearsals.status, "running"),
        lt(rehearsals.startedAt, before),
      ),
    );
}

export async function updateRehearsal(
  db: Db,
  id: string,
  set: Partial<{ deployId: string; status: RehearsalStatus; summary: string; result: RehearsalResult; finishedAt: Date }>,
): Promise<void> {
  await db.update(rehearsals).set(set).where(eq(rehearsals.id, id));
}

export async function getRehearsal(db: Db, id: string): Promise<RehearsalRow | undefined> {
  const [row] = await db.select().from(rehearsals).where(eq(rehearsals.id, id));
  return row;
}

/** Newest first. */
export function listRehearsals(
  db: Db,
  filter: { flag?: string | undefined; environment?: string | undefined; status?: RehearsalStatus | undefined; limit: number },
): Promise<RehearsalRow[]> {
  const conditions: SQL[] = [];
  if (filter.flag !== undefined) conditions.push(eq(rehearsals.flagKey, filter.flag));
  if (filter.environment !== undefined) conditions.push(eq(rehearsals.environmentKey, filter.environment));
  if (filter.status !== undefined) conditions.push(eq(rehearsals.status, filter.status));
  return db
    .select()
    .from(rehearsals)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(rehearsals.startedAt), desc(rehearsals.id))
    .limit(filter.limit);
}

/** The newest rehearsal of each environment for one flag. */
export async function lastRehearsalsOfFlag(db: Db, flagKey: string): Promise<RehearsalRow[]> {
  const rows = await db.select().from(rehearsals).where(eq(rehearsals.flagKey, flagKey)).orderBy(desc(rehearsals.startedAt));
  const newest = new Map<string, RehearsalRow>();
  for (const row of rows) if (!newest.has(row.environmentKey)) newest.set(row.environmentKey, row);
  return [...newest.values()].sort((a, b) => a.environmentKey.localeCompare(b.environmentKey));
}

/** When each flag last passed a rehearsal, per environment (optionally one environment). */
export async function lastPassedRehearsals(
  db: Db,
  environmentKey?: string,
): Promise<Array<{ flag: string; environment: string; at: Date }>> {
  const conditions: SQL[] = [eq(rehearsals.status, "passed")];
  if (environmentKey !== undefined) conditions.push(eq(rehearsals.environmentKey, environmentKey));
  const rows = await db
    .select({ flag: rehearsals.flagKey, environment: rehearsals.environmentKey, at: max(rehearsals.finishedAt) })
    .from(rehearsals)
    .where(and(...conditions))
    .groupBy(rehearsals.flagKey, rehearsals.environmentKey);
  return rows.flatMap((r) => (r.at === null ? [] : [{ flag: r.flag, environment: r.environment, at: r.at }]));
}

/** Real deploys (not rehearsals'): each flag they were guarded by, with the first such deploy's time. */
export async function guardedFlagsOfDeploys(
  db: Db,
  environmentKey?: string,
): Promise<Array<{ flag: string; environment: string; firstDeployAt: Date }>> {
  const conditions: SQL[] = [isNull(deploys.rehearsalId)];
  if (environmentKey !== undefined) conditions.push(eq(deploys.environmentKey, environmentKey));
  const rows = await db
    .select({ flags: deploys.flags, environment: deploys.environmentKey, createdAt: deploys.createdAt })
    .from(deploys)
    .where(and(...conditions));
  const first = new Map<string, { flag: string; environment: string; firstDeployAt: Date }>();
  for (const row of rows) {
    for (const { key } of row.flags) {
      const id = `${row.environment}\u0000${key}`;
      const seen = first.get(id);
      if (seen === undefined || row.createdAt < seen.firstDeployAt)
        first.set(id, { flag: key, environment: row.environment, firstDeployAt: row.createdAt });
    }
  }
  return [...first.values()];
}

/** Ends a rehearsal's deploy the worker has not decided by the end: it must not go on to touch the flag. */
export async function finishDeploy(db: Db, deployIds: string[]): Promise<void> {
  if (deployIds.length === 0) return;
  await db.update(deploys).set({ final: true, leaseOwner: null, leaseExpiresAt: null }).where(inArray(deploys.id, deployIds));
}
