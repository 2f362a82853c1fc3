import { AppError, type Result } from "../errors";
import { insertAudit, type AuditInput } from "../store/audit";
import { appendChangesInCommitOrder, type ChangeEntity, takeWriteLock } from "../store/changes";
import type { Db } from "../store/database";

export interface ServiceDeps {
  db: Db;
  /** The replica's in-memory state: told after every commit, so reads see the write at once. */
  live: { committed(): Promise<void> };
}

export interface ChangeInput {
  environmentKey: string | null;
  entity: ChangeEntity;
  key: string;
  deleted?: boolean;
}

/** What a write does besides its own rows: every change is audited and numbered. */
export interface WriteRecorder {
  audit(entry: AuditInput): Promise<void>;
  change(change: ChangeInput): void;
}

class ExpectedFailure {
  constructor(readonly error: AppError) {}
}

/**
 * The one write path: a transaction serialized with every other write (see `takeWriteLock`),
 * holding the write, its audit entries and its change-log rows (appended last, in commit order), then the live state refreshed so the next read on this
 * replica already sees the write.
 */
export async function mutate<T>(deps: ServiceDeps, work: (tx: Db, record: WriteRecorder) => Promise<Result<T>>): Promise<Result<T>> {
  const result = await transact(deps.db, work);
  if (result.ok) await deps.live.committed();
  return result;
}

/** The transaction part of `mutate`, for writes made before there is live state (first start). */
export async function transact<T>(db: Db, work: (tx: Db, record: WriteRecorder) => Promise<Result<T>>): Promise<Result<T>> {
  let value: T;
  try {
    value = await db.transaction(async (tx) => {
      await takeWriteLock(tx);
      const changes: ChangeInput[] = [];
      const recorder: WriteRecorder = {
        audit: (entry) => insertAudit(tx, entry),
        change: (change) => void changes.push(change),
      };
      const result = await work(tx, recorder);
      if (!result.ok) throw new ExpectedFailure(result.error);
      await appendChangesInCommitOrder(tx, changes);
      return result.value;
    });
  } catch (error) {
    if (error instanceof ExpectedFailure) return { ok: false, error: error.error };
    throw error;
  }
  return { ok: true, value };
}
