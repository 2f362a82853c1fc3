import { asc, gt, max, sql } from "drizzle-orm";
import type { Db } from "./database";
import { changeLog } from "./schema";

export const ChangeEntities = {
  environment: "environment",
  flag: "flag",
  flagConfig: "flag-config",
  segment: "segment",
  token: "token",
} as const;
export type ChangeEntity = (typeof ChangeEntities)[keyof typeof ChangeEntities];

export interface Change {
  seq: number;
  environmentKey: string | null;
  entity: ChangeEntity;
  key: string;
  deleted: boolean;
}

export async function appendChange(
  db: Db,
  change: { environmentKey: string | null; entity: ChangeEntity; key: string; deleted?: boolean },
): Promise<number> {
  const [row] = await db
    .insert(changeLog)
    .values({ environmentKey: change.environmentKey, entity: change.entity, key: change.key, deleted: change.deleted ?? false })
    .returning({ seq: changeLog.seq });
  if (!row) throw new Error("change_log insert returned no row");
  return row.seq;
}

export async function latestSeq(db: Db): Promise<number> {
  const [row] = await db.select({ seq: max(changeLog.seq) }).from(changeLog);
  return Number(row?.seq ?? 0);
}

export async function changesSince(db: Db, seq: number, limit = 10_000): Promise<Change[]> {
  const rows = await db.select().from(changeLog).where(gt(changeLog.seq, seq)).orderBy(asc(changeLog.seq)).limit(limit);
  return rows.map((r) => ({
    seq: r.seq,
    environmentKey: r.environmentKey,
    // Only this module writes the column, always from ChangeEntities.
    entity: r.entity as ChangeEntity,
    key: r.key,
    deleted: r.deleted,
  }));
}

// Any constant works; every writer takes the same one.
const WRITE_LOCK_ID = 0x5717c5;

/**
 * Every write transaction takes this lock as its first statement, so writes are serialized
 * across connections and replicas: a check that reads before it writes (the last admin token, a
 * segment still in use, a prerequisite cycle, an archived prerequisite) sees every write committed
 * before it and none can slip in between. Writes are admin actions and flag-offs, a few per second
 * at most, so one lock costs nothing that matters. Held until commit, it also hands out change
 * sequence numbers in commit order (a bare bigserial does not under concurrency): a reader that has
 * applied seq N never later sees a commit with a smaller seq.
 */
export async function takeWriteLock(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK_ID})`);
}

/** Appends the changes of a transaction that holds the write lock, as its last statements. */
export async function appendChangesInCommitOrder(
  db: Db,
  changes: ReadonlyArray<{ environmentKey: string | null; entity: ChangeEntity; key: string; deleted?: boolean }>,
): Promise<number[]> {
  if (changes.length === 0) return [];
  const seqs: number[] = [];
  for (const change of changes) seqs.push(await appendChange(db, change));
  return seqs;
}
