import { compile, type Engine, type FlagDefinition, type Segment } from "@switchyard/core";

/** What an environment serves, compiled once per change; the hot path never touches the database. */
export interface EnvironmentView {
  key: string;
  /** The change sequence number this view reflects. */
  version: number;
  /** The database history `version` counts in (store/database-epoch.ts). */
  epoch: string;
  engine: Engine;
  flags: FlagDefinition[];
  segments: Segment[];
  flagsByKey: ReadonlyMap<string, FlagDefinition>;
  segmentsByKey: ReadonlyMap<string, Segment>;
  /**
   * The segments this environment's flags use. Segments are shared by every environment, but a
   * server token gets only these: the rest are other environments' business.
   */
  usedSegmentKeys: ReadonlySet<string>;
  /** `GET /api/sdk/flags` body (and the stream's `put`), serialized once per change; only the used segments. */
  sdkBody: string;
  etag: string;
}

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function assemble(
  key: string,
  version: number,
  epoch: string,
  engine: Engine,
  flagsByKey: Map<string, FlagDefinition>,
  segmentsByKey: Map<string, Segment>,
): EnvironmentView {
  const usedSegmentKeys = new Set<string>();
  for (const flag of flagsByKey.values())
    for (const rule of flag.rules) for (const segment of rule.segments ?? []) usedSegmentKeys.add(segment);
  // The sorted lists and the serialized body are made on first read, not on every change: a
  // toggle streams one flag's patch, and sorting and writing out the whole environment (~360 KB
  // for 1,000 flags) would only delay it. A view never changes, so each is made at most once.
  let flags: FlagDefinition[] | undefined;
  let segments: Segment[] | undefined;
  let sdkBody: string | undefined;
  return {
    key,
    version,
    epoch,
    engine,
    get flags() {
      flags ??= [...flagsByKey.values()].sort(byKey);
      return flags;
    },
    get segments() {
      segments ??= [...segmentsByKey.values()].sort(byKey);
      return segments;
    },
    flagsByKey,
    segmentsByKey,
    usedSegmentKeys,
    get sdkBody() {
      sdkBody ??= JSON.stringify({
        environment: key,
        version,
        epoch,
        flags: this.flags,
        segments: this.segments.filter((s) => usedSegmentKeys.has(s.key)),
      });
      return sdkBody;
    },
    etag: `W/"${key}-${epoch}-${version}"`,
  };
}

export function buildView(key: string, version: number, epoch: string, flags: FlagDefinition[], segments: Segment[]): EnvironmentView {
  return assemble(
    key,
    version,
    epoch,
    compile({ flags, segments }),
    new Map(flags.map((f) => [f.key, f])),
    new Map(segments.map((s) => [s.key, s])),
  );
}

/**
 * The view after some flags and segments changed: `flagKeys` / `segmentKeys` are what changed,
 * `flags` / `segments` their current definitions (a key with no definition is gone). Only those
 * are recompiled.
 */
export function patchView(
  view: EnvironmentView,
  version: number,
  change: { flagKeys: ReadonlySet<string>; flags: FlagDefinition[]; segmentKeys: ReadonlySet<string>; segments: Segment[] },
): EnvironmentView {
  const flagsByKey = new Map(view.flagsByKey);
  const segmentsByKey = new Map(view.segmentsByKey);
  for (const key of change.flagKeys) flagsByKey.delete(key);
  for (const key of change.segmentKeys) segmentsByKey.delete(key);
  for (const flag of change.flags) flagsByKey.set(flag.key, flag);
  for (const segment of change.segments) segmentsByKey.set(segment.key, segment);
  const engine = view.engine.update({
    flags: change.flags,
    segments: change.segments,
    deletedFlags: [...change.flagKeys].filter((k) => !flagsByKey.has(k)),
    deletedSegments: [...change.segmentKeys].filter((k) => !segmentsByKey.has(k)),
  });
  return assemble(view.key, version, view.epoch, engine, flagsByKey, segmentsByKey);
}
