import type { FlagDefinition, Segment } from "@switchyard/core";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "./database";
import { flagConfigs, flags } from "./schema";
import { listSegments, type SegmentRow } from "./segments";

/** Every live (not archived) flag of one environment, as the evaluation engine takes it. */
export async function loadFlagDefinitions(db: Db, environmentKey: string): Promise<FlagDefinition[]> {
  const rows = await db
    .select({ key: flags.key, variations: flags.variations, version: flagConfigs.version, config: flagConfigs.config })
    .from(flagConfigs)
    .innerJoin(flags, eq(flags.key, flagConfigs.flagKey))
    .where(and(eq(flagConfigs.environmentKey, environmentKey), isNull(flags.archivedAt)))
    .orderBy(flags.key);
  return rows.map((r) => ({ ...r.config, key: r.key, variations: r.variations, version: r.version }));
}

export async function loadSegments(db: Db): Promise<Segment[]> {
  return (await listSegments(db)).map(segmentDefinition);
}

export function segmentDefinition(row: SegmentRow): Segment {
  return { key: row.key, included: row.included, excluded: row.excluded, rules: row.rules, version: row.version };
}
