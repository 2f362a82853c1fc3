import type { FlagDefinition, Segment } from "@switchyard/core";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "./database";
import { flagConfigs, flags, segments } from "./schema";
import { listSegments, type SegmentRow } from "./segments";

/** Live (not archived) flags of one environment — all, or those of `keys` — as the engine takes them. */
export async function loadFlagDefinitions(db: Db, environmentKey: string, keys?: ReadonlySet<string>): Promise<FlagDefinition[]> {
  const rows = await db
    .select({ key: flags.key, variations: flags.variations, version: flagConfigs.version, config: flagConfigs.config })
    .from(flagConfigs)
    .innerJoin(flags, eq(flags.key, flagConfigs.flagKey))
    .where(
      and(
        eq(flagConfigs.environmentKey, environmentKey),
        isNull(flags.archivedAt),
        keys === undefined ? undefined : inArray(flags.key, [...keys]),
      ),
    )
    .orderBy(flags.key);
  return rows.map((r) => ({ ...r.config, key: r.key, variations: r.variations, version: r.version }));
}

export async function loadSegments(db: Db, keys?: ReadonlySet<string>): Promise<Segment[]> {
  if (keys === undefined) return (await listSegments(db)).map(segmentDefinition);
  if (keys.size === 0) return [];
  return (
    await db
      .select()
      .from(segments)
      .where(inArray(segments.key, [...keys]))
  ).map(segmentDefinition);
}

export function segmentDefinition(row: SegmentRow): Segment {
  return { key: row.key, included: row.included, excluded: row.excluded, rules: row.rules, version: row.version };
}
