import { and, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "./database";
import { evaluationCounts, eventCounts } from "./schema";
import { deployCounts, deploySignals } from "./deploy-schema";

// Below every index and below event_counts' -1 ("no variation"): the parking range of a move.
const PARKED = -1000;

/**
 * Counts are stored by the variation's position, which is what SDKs report on the wire. When a
 * flag's variations are reordered or some removed, its counts move with their variations, in the
 * same transaction as the edit: what analytics recorded keeps its meaning. `moves[i]` is the new
 * position of the variation that was at `i`, or null when it was removed (its counts go: nothing
 * can serve it any more, and no one can name it).
 *
 * Positions are part of primary keys, and PostgreSQL checks them row by row: a swap is done in
 * two steps, through the parking range.
 */
export async function moveVariationCounts(db: Db, flagKey: string, moves: ReadonlyArray<number | null>): Promise<void> {
  const removed = moves.flatMap((to, from) => (to === null ? [from] : []));
  const moved = moves.flatMap((to, from) => (to !== null && to !== from ? [{ from, to }] : []));
  if (removed.length === 0 && moved.length === 0) return;
  const parkedCase = (column: typeof evaluationCounts.variation | typeof eventCounts.variation): SQL =>
    sql`case ${column} ${sql.join(
      moved.map(({ from, to }) => sql`when ${from} then ${PARKED - to}`),
      sql` `,
    )} else ${column} end`;
  const fromList = moved.map((m) => m.from);

  for (const table of [evaluationCounts, eventCounts] as const) {
    if (removed.length > 0) await db.delete(table).where(and(eq(table.flagKey, flagKey), inArray(table.variation, removed)));
    if (moved.length === 0) continue;
    await db
      .update(table)
      .set({ variation: parkedCase(table.variation) })
      .where(and(eq(table.flagKey, flagKey), inArray(table.variation, fromList)));
    await db
      .update(table)
      .set({ variation: sql`${PARKED} - ${table.variation}` })
      .where(and(eq(table.flagKey, flagKey), lte(table.variation, PARKED)));
  }
  // A deploy's evidence has no key on the position: one statement each; a removed variation's rows keep no position.
  for (const table of [deploySignals, deployCounts] as const) {
    const cases = [...moved.map(({ from, to }) => sql`when ${from} then ${to}`), ...removed.map((from) => sql`when ${from} then null`)];
    await db
      .update(table)
      .set({ variation: sql`case ${table.variation} ${sql.join(cases, sql` `)} else ${table.variation} end` })
      .where(and(eq(table.flag, flagKey), inArray(table.variation, [...fromList, ...removed])));
  }
}
