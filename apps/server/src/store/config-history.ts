import { eq } from "drizzle-orm";
import type { Db } from "./database";
import { flagConfigVersions } from "./schema";

/** Every kept config version — of every environment, or of one — without the actor and comment. */
export function listConfigHistory(db: Db, environmentKey?: string) {
  const query = db
    .select({
      flag: flagConfigVersions.flagKey,
      environment: flagConfigVersions.environmentKey,
      version: flagConfigVersions.version,
      config: flagConfigVersions.config,
      createdAt: flagConfigVersions.createdAt,
    })
    .from(flagConfigVersions);
  return environmentKey === undefined ? query : query.where(eq(flagConfigVersions.environmentKey, environmentKey));
}
