import { asc, eq, isNull } from "drizzle-orm";
import type { Db } from "./database";
import { flags } from "./schema";

export type FlagRow = typeof flags.$inferSelect;
export type NewFlag = typeof flags.$inferInsert;

export function listFlags(db: Db, options: { includeArchived: boolean }): Promise<FlagRow[]> {
  const query = db.select().from(flags);
  return (options.includeArchived ? query : query.where(isNull(flags.archivedAt))).orderBy(asc(flags.key));
}

export async function getFlag(db: Db, key: string, options: { forUpdate?: boolean } = {}): Promise<FlagRow | undefined> {
  const query = db.select().from(flags).where(eq(flags.key, key));
  const [row] = await (options.forUpdate ? query.for("update") : query);
  return row;
}

/** Returns undefined when the key is taken. */
export async function insertFlag(db: Db, flag: NewFlag): Promise<FlagRow | undefined> {
  const [row] = await db.insert(flags).values(flag).onConflictDoNothing().returning();
  return row;
}

export async function updateFlag(db: Db, key: string, patch: Partial<Omit<NewFlag, "key" | "createdAt">>): Promise<FlagRow | undefined> {
  const [row] = await db
    .update(flags)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(flags.key, key))
    .returning();
  return row;
}
