import { compile, type Engine, type FlagDefinition, type Segment } from "@switchyard/core";
import { affectedFlags } from "./affected-flags";
import type { DataUpdate, SdkSnapshot } from "./payloads";

/** Where the data served now came from. Only server data is authoritative about versions. */
export const DataSources = {
  NONE: "none",
  BOOTSTRAP: "bootstrap",
  BACKUP: "backup",
  SERVER: "server",
} as const;
export type DataSource = (typeof DataSources)[keyof typeof DataSources];

export type ApplyResult =
  | { applied: false }
  | {
      applied: true;
      previousSource: DataSource;
      changedKeys: string[];
      /** The server's data counts in another database history than the data it replaced; the versions before it. */
      historyChanged?: { from: string; to: string; previousVersion: number | undefined };
    };

function changedKeys<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>): Set<string> {
  const changed = new Set<string>();
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined || JSON.stringify(old) !== JSON.stringify(value)) changed.add(key);
  }
  for (const key of before.keys()) if (!after.has(key)) changed.add(key);
  return changed;
}

function byKey<T extends { key: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.key, item]));
}

/**
 * The flags and segments the SDK serves and the engine compiled from them. `compile` on a
 * put, `engine.update` on a patch or delete; every update reports the flag keys it affected.
 */
export class FlagStore {
  private flags = new Map<string, FlagDefinition>();
  private segments = new Map<string, Segment>();
  private currentEngine: Engine = compile({ flags: [], segments: [] });
  private currentVersion: number | undefined;
  private currentEpoch: string | undefined;
  private environment = "";
  private currentSource: DataSource = DataSources.NONE;
  private confirmedAt: number | undefined;

  get engine(): Engine {
    return this.currentEngine;
  }

  /** The config version served, `undefined` before any data. */
  get version(): number | undefined {
    return this.currentVersion;
  }

  /** The server database history of `version`, `undefined` before data that names one. */
  get epoch(): string | undefined {
    return this.currentEpoch;
  }

  get source(): DataSource {
    return this.currentSource;
  }

  /** Milliseconds since the data was last known to be current, `undefined` before any data. */
  ageMs(now: number): number | undefined {
    return this.confirmedAt === undefined ? undefined : Math.max(0, now - this.confirmedAt);
  }

  /** The server confirmed the data is current (a heartbeat, a 304). */
  confirm(now: number): void {
    if (this.currentSource === DataSources.SERVER) this.confirmedAt = now;
  }

  snapshot(): SdkSnapshot {
    return {
      environment: this.environment,
      version: this.currentVersion ?? 0,
      ...(this.currentEpoch === undefined ? {} : { epoch: this.currentEpoch }),
      flags: [...this.flags.values()],
      segments: [...this.segments.values()],
    };
  }

  /**
   * Applies an update unless it is not newer than the data held. A server `put` always
   * replaces bootstrap or backup data, whatever its version: the server is the source of truth
   * (its change log may have been reset since the backup was written). So does a server `put`
   * from another database history (epoch): versions only compare within one history, and after a
   * restore every version the server sends is below what the SDK held.
   */
  apply(update: DataUpdate, source: DataSource, confirmedAt: number): ApplyResult {
    const previousSource = this.currentSource;
    const serverPut = update.kind === "put" && source === DataSources.SERVER ? update.snapshot : undefined;
    const replacesStandIn = serverPut !== undefined && previousSource !== DataSources.SERVER;
    const otherHistory =
      serverPut?.epoch !== undefined && this.currentEpoch !== undefined && serverPut.epoch !== this.currentEpoch
        ? serverPut.epoch
        : undefined;
    const newVersion = update.kind === "put" ? update.snapshot.version : update.version;
    const isNewer = this.currentVersion === undefined || newVersion > this.currentVersion;
    if (!isNewer && !replacesStandIn && otherHistory === undefined) {
      if (source === DataSources.SERVER) this.confirm(confirmedAt);
      return { applied: false };
    }
    const previous = { epoch: this.currentEpoch, version: this.currentVersion };
    const keys = update.kind === "put" ? this.replace(update.snapshot) : this.patch(update);
    if (update.kind === "put") this.currentEpoch = update.snapshot.epoch;
    this.currentVersion = newVersion;
    this.currentSource = source;
    this.confirmedAt = confirmedAt;
    if (otherHistory !== undefined && previous.epoch !== undefined && previousSource === DataSources.SERVER) {
      return {
        applied: true,
        previousSource,
        changedKeys: keys,
        historyChanged: { from: previous.epoch, to: otherHistory, previousVersion: previous.version },
      };
    }
    return { applied: true, previousSource, changedKeys: keys };
  }

  private replace(snapshot: SdkSnapshot): string[] {
    const flags = byKey(snapshot.flags);
    const segments = byKey(snapshot.segments);
    const keys = affectedFlags(flags, changedKeys(this.flags, flags), changedKeys(this.segments, segments));
    this.currentEngine = compile({ flags: snapshot.flags, segments: snapshot.segments });
    this.flags = flags;
    this.segments = segments;
    this.environment = snapshot.environment;
    return keys;
  }

  private patch(update: Exclude<DataUpdate, { kind: "put" }>): string[] {
    const flags = new Map(this.flags);
    const segments = new Map(this.segments);
    const changedFlags = new Set<string>();
    const changedSegments = new Set<string>();
    switch (update.kind) {
      case "patch-flag": {
        const old = flags.get(update.flag.key);
        if (old === undefined || JSON.stringify(old) !== JSON.stringify(update.flag)) changedFlags.add(update.flag.key);
        flags.set(update.flag.key, update.flag);
        this.currentEngine = this.currentEngine.update({ flags: [update.flag] });
        break;
      }
      case "patch-segment": {
        const old = segments.get(update.segment.key);
        if (old === undefined || JSON.stringify(old) !== JSON.stringify(update.segment)) changedSegments.add(update.segment.key);
        segments.set(update.segment.key, update.segment);
        this.currentEngine = this.currentEngine.update({ segments: [update.segment] });
        break;
      }
      case "delete-flag":
        if (flags.delete(update.key)) changedFlags.add(update.key);
        this.currentEngine = this.currentEngine.update({ deletedFlags: [update.key] });
        break;
      case "delete-segment":
        if (segments.delete(update.key)) changedSegments.add(update.key);
        this.currentEngine = this.currentEngine.update({ deletedSegments: [update.key] });
        break;
    }
    this.flags = flags;
    this.segments = segments;
    return affectedFlags(flags, changedFlags, changedSegments);
  }
}
