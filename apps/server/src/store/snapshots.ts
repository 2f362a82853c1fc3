import { type FlagDefinition, indexedConfig, type Segment, type Variation } from "@switchyard/core";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "./database";
import { flagConfigs, flags, segments } from "./schema";
import { listSegments, type SegmentRow } from "./segments";

/** Live (not archived) flags of one environment — all, or those of `keys` — as the engine takes them. */
export async function loadFlagDefinitions(db: Db, environmentKey: string, keys?: ReadonlySet<string>): Promise<FlagDefinition[]> {
  const rows = await db
    .select({
      key: flags.key,
      variations: flags.variations,
      metadata: flags.metadata,
      version: flagConfigs.version,
      config: flagConfigs.config,
    })
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
  const idsByFlag = new Map(rows.map((r) => [r.key, r.variations.map((v) => v.id)]));
  const elsewhere = new Set(rows.flatMap((r) => (r.config.prerequisites ?? []).map((p) => p.flag)).filter((key) => !idsByFlag.has(key)));
  if (elsewhere.size > 0) {
    for (const other of await loadVariations(db, elsewhere))
      idsByFlag.set(
        other.key,
        other.variations.map((v) => v.id),
      );
  }
  return rows.map((r) => ({
    ...indexedConfig(r.config, idsByFlag.get(r.key) ?? [], (key) => idsByFlag.get(key)),
    key: r.key,
    variations: r.variations.map((v) => v.value),
    variationNames: r.variations.map((v) => v.name),
    ...(Object.keys(r.metadata).length === 0 ? {} : { metadata: r.metadata }),
    version: r.version,
  }));
}

/** The variations of some flags (archived or not), for reading configs that refer to them. */
export async function loadVariations(db: Db, keys: ReadonlySet<string>): Promise<Array<{ key: string; variations: Variation[] }>> {
  if (keys.size === 0) return [];
  return db
    .select({ key: flags.key, variations: flags.variations })
    .from(flags)
    .where(inArray(flags.key, [...keys]));
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
