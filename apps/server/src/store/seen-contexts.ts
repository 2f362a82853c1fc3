import { and, count, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "./database";
import { environments, seenContexts } from "./schema";

export interface SeenContextInput {
  contextKey: string;
  attributes: Record<string, unknown>;
  weight: number;
}

export type SeenContextRow = typeof seenContexts.$inferSelect;

/**
 * Adds contexts to an environment's sample (a context seen again gains weight and takes its
 * latest attributes), then evicts down to `capacity` rows, keeping the weighted reservoir: the
 * rows with the largest ln(priority_seed) / weight. Heavier contexts are likelier to stay, and
 * every context has a chance, whatever order they came in.
 */
export async function addSeenContexts(db: Db, environmentKey: string, rows: SeenContextInput[], at: Date, capacity: number): Promise<void> {
  if (rows.length === 0) return;
  // Chunks of 500: far below PostgreSQL's 65,535 parameters, and large statements cost drizzle superlinear time to build.
  for (let start = 0; start < rows.length; start += 500) await upsert(db, environmentKey, rows.slice(start, start + 500), at);
  const [held] = await db.select({ n: count() }).from(seenContexts).where(eq(seenContexts.environmentKey, environmentKey));
  if (Number(held?.n ?? 0) <= capacity) return;
  const evicted = db
    .select({ contextKey: seenContexts.contextKey })
    .from(seenContexts)
    .where(eq(seenContexts.environmentKey, environmentKey))
    .orderBy(desc(sql`ln(${seenContexts.prioritySeed}) / ${seenContexts.weight}`))
    .offset(capacity);
  await db.delete(seenContexts).where(and(eq(seenContexts.environmentKey, environmentKey), inArray(seenContexts.contextKey, evicted)));
}

async function upsert(db: Db, environmentKey: string, rows: SeenContextInput[], at: Date): Promise<void> {
  await db
    .insert(seenContexts)
    .values(
      rows.map((row) => ({
        environmentKey,
        contextKey: row.contextKey,
        attributes: row.attributes,
        weight: row.weight,
        // (0, 1): ln(0) would rank a context below every other forever.
        prioritySeed: Math.random() || 0.5,
        lastSeenAt: at,
      })),
    )
    .onConflictDoUpdate({
      target: [seenContexts.environmentKey, seenContexts.contextKey],
      set: {
        weight: sql`${seenContexts.weight} + excluded.weight`,
        attributes: sql`excluded.attributes`,
        lastSeenAt: sql`excluded.last_seen_at`,
      },
    });
}

export function listSeenContexts(
  db: Db,
  environmentKey: string,
): Promise<Array<Pick<SeenContextRow, "contextKey" | "attributes" | "weight">>> {
  return db
    .select({ contextKey: seenContexts.contextKey, attributes: seenContexts.attributes, weight: seenContexts.weight })
    .from(seenContexts)
    .where(eq(seenContexts.environmentKey, environmentKey));
}

export async function deleteSeenContexts(db: Db, environmentKey: string): Promise<void> {
  await db.delete(seenContexts).where(eq(seenContexts.environmentKey, environmentKey));
}

/** Deletes contexts not seen since `before`; returns how many. */
export async function pruneSeenContexts(db: Db, before: Date): Promise<number> {
  const deleted = await db.delete(seenContexts).where(lt(seenContexts.lastSeenAt, before)).returning({ key: seenContexts.contextKey });
  return deleted.length;
}

/** Which of these environments keep a sample (unknown environments are left out). */
export async function samplingEnvironments(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: environments.key })
    .from(environments)
    .where(and(inArray(environments.key, keys), eq(environments.seenContextsEnabled, true)));
  return new Set(rows.map((r) => r.key));
}
