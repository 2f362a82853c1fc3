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
const CHANGE_ORDER_LOCK_ID = 0x5717c5;

/**
 * Appends the changes of a transaction as its last statements. The transaction-scoped advisory
 * lock is held until commit, so sequence numbers are handed out in commit order: a reader that
 * has applied seq N can never later see a commit with a smaller seq (which a bare bigserial
 * allows under concurrency).
 */
export async function appendChangesInCommitOrder(
  db: Db,
  changes: ReadonlyArray<{ environmentKey: string | null; entity: ChangeEntity; key: string; deleted?: boolean }>,
): Promise<number[]> {
  if (changes.length === 0) return [];
  await db.execute(sql`select pg_advisory_xact_lock(${CHANGE_ORDER_LOCK_ID})`);
  const seqs: number[] = [];
  for (const change of changes) seqs.push(await appendChange(db, change));
  return seqs;
}
