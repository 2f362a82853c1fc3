import { count, eq, lt, max, min } from "drizzle-orm";
import type { Db } from "./database";
import { evaluationCounts } from "./schema";

/** Deletes evaluation buckets that started before `before`; returns how many. */
export async function pruneEvaluationCounts(db: Db, before: Date): Promise<number> {
  const deleted = db
    .$with("deleted")
    .as(db.delete(evaluationCounts).where(lt(evaluationCounts.hour, before)).returning({ hour: evaluationCounts.hour }));
  const [row] = await db.with(deleted).select({ n: count() }).from(deleted);
  return Number(row?.n ?? 0);
}

/** Per environment, the first and last hourly bucket of any flag: when its SDKs reported. */
export function reportingEnvironments(
  db: Db,
  environmentKey?: string,
): Promise<Array<{ environment: string; firstBucketAt: Date; lastBucketAt: Date }>> {
  const query = db
    .select({
      environment: evaluationCounts.environmentKey,
      firstBucketAt: min(evaluationCounts.hour),
      lastBucketAt: max(evaluationCounts.hour),
    })
    .from(evaluationCounts);
  return (environmentKey === undefined ? query : query.where(eq(evaluationCounts.environmentKey, environmentKey)))
    .groupBy(evaluationCounts.environmentKey)
    .then((rows) =>
      rows.flatMap((r) =>
        r.firstBucketAt === null || r.lastBucketAt === null
          ? []
          : [{ environment: r.environment, firstBucketAt: r.firstBucketAt, lastBucketAt: r.lastBucketAt }],
      ),
    );
}

/** Per flag and environment, the last hourly bucket that counted an evaluation. */
export function lastEvaluationBuckets(
  db: Db,
  environmentKey?: string,
): Promise<Array<{ flag: string; environment: string; lastBucketAt: Date }>> {
  const query = db
    .select({ flag: evaluationCounts.flagKey, environment: evaluationCounts.environmentKey, lastBucketAt: max(evaluationCounts.hour) })
    .from(evaluationCounts);
  return (environmentKey === undefined ? query : query.where(eq(evaluationCounts.environmentKey, environmentKey)))
    .groupBy(evaluationCounts.environmentKey, evaluationCounts.flagKey)
    .then((rows) =>
      rows.flatMap((r) => (r.lastBucketAt === null ? [] : [{ flag: r.flag, environment: r.environment, lastBucketAt: r.lastBucketAt }])),
    );
}
