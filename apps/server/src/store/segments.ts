import { asc, eq } from "drizzle-orm";
import type { Db } from "./database";
import { segments } from "./schema";

export type SegmentRow = typeof segments.$inferSelect;
export type NewSegment = typeof segments.$inferInsert;

export function listSegments(db: Db): Promise<SegmentRow[]> {
  return db.select().from(segments).orderBy(asc(segments.key));
}

export async function getSegment(db: Db, key: string, options: { forUpdate?: boolean } = {}): Promise<SegmentRow | undefined> {
  const query = db.select().from(segments).where(eq(segments.key, key));
  const [row] = await (options.forUpdate ? query.for("update") : query);
  return row;
}

/** Returns undefined when the key is taken. */
export async function insertSegment(db: Db, segment: NewSegment): Promise<SegmentRow | undefined> {
  const [row] = await db.insert(segments).values(segment).onConflictDoNothing().returning();
  return row;
}

export async function updateSegment(db: Db, key: string, patch: Omit<NewSegment, "key" | "createdAt">): Promise<SegmentRow | undefined> {
  const [row] = await db
    .update(segments)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(segments.key, key))
    .returning();
  return row;
}

export async function deleteSegment(db: Db, key: string): Promise<SegmentRow | undefined> {
  const [row] = await db.delete(segments).where(eq(segments.key, key)).returning();
  return row;
}
