import type { StoredFlagConfig } from "@switchyard/core";
import { and, asc, desc, eq } from "drizzle-orm";
import type { Db } from "./database";
import { flagConfigs, flagConfigVersions } from "./schema";
import type { Actor } from "./audit";

export type FlagConfigRow = typeof flagConfigs.$inferSelect;
export type FlagConfigVersionRow = typeof flagConfigVersions.$inferSelect;

export function listConfigsOfFlag(db: Db, flagKey: string): Promise<FlagConfigRow[]> {
  return db.select().from(flagConfigs).where(eq(flagConfigs.flagKey, flagKey)).orderBy(asc(flagConfigs.environmentKey));
}

export function listConfigsOfEnvironment(db: Db, environmentKey: string): Promise<FlagConfigRow[]> {
  return db.select().from(flagConfigs).where(eq(flagConfigs.environmentKey, environmentKey));
}

export function listAllConfigs(db: Db): Promise<FlagConfigRow[]> {
  return db.select().from(flagConfigs);
}

export async function getConfig(
  db: Db,
  flagKey: string,
  environmentKey: string,
  options: { forUpdate?: boolean } = {},
): Promise<FlagConfigRow | undefined> {
  const query = db
    .select()
    .from(flagConfigs)
    .where(and(eq(flagConfigs.flagKey, flagKey), eq(flagConfigs.environmentKey, environmentKey)));
  const [row] = await (options.forUpdate ? query.for("update") : query);
  return row;
}

export interface ConfigWrite {
  flagKey: string;
  environmentKey: string;
  version: number;
  config: StoredFlagConfig;
  actor: Actor;
  comment: string | null;
}

/** Writes the current config and keeps the version in history; the caller holds the row lock. */
export async function writeConfig(db: Db, write: ConfigWrite): Promise<FlagConfigRow> {
  const now = new Date();
  const [row] = await db
    .insert(flagConfigs)
    .values({ flagKey: write.flagKey, environmentKey: write.environmentKey, version: write.version, config: write.config, updatedAt: now })
    .onConflictDoUpdate({
      target: [flagConfigs.flagKey, flagConfigs.environmentKey],
      set: { version: write.version, config: write.config, updatedAt: now },
    })
    .returning();
  await db.insert(flagConfigVersions).values({
    flagKey: write.flagKey,
    environmentKey: write.environmentKey,
    version: write.version,
    config: write.config,
    actorTokenId: write.actor.tokenId,
    actorName: write.actor.name,
    comment: write.comment,
    createdAt: now,
  });
  if (!row) throw new Error("flag_configs upsert returned no row");
  return row;
}

export function listConfigVersions(
  db: Db,
  flagKey: string,
  environmentKey: string,
  options: { limit: number; offset: number },
): Promise<FlagConfigVersionRow[]> {
  return db
    .select()
    .from(flagConfigVersions)
    .where(and(eq(flagConfigVersions.flagKey, flagKey), eq(flagConfigVersions.environmentKey, environmentKey)))
    .orderBy(desc(flagConfigVersions.version))
    .limit(options.limit)
    .offset(options.offset);
}

export async function getConfigVersion(
  db: Db,
  flagKey: string,
  environmentKey: string,
  version: number,
): Promise<FlagConfigVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(flagConfigVersions)
    .where(
      and(
        eq(flagConfigVersions.flagKey, flagKey),
        eq(flagConfigVersions.environmentKey, environmentKey),
        eq(flagConfigVersions.version, version),
      ),
    );
  return row;
}
