import type { FlagDefinition, Segment } from "@switchyard/core";
import { z } from "zod";
import type { DataUpdate, SdkSnapshot } from "../../../packages/sdk-node/src/payloads";
import { buildView, patchView, type EnvironmentView } from "../../server/src/live/environment-view";
import type { HubSource } from "../../server/src/live/hub";
import type { AppliedChanges, AppliedListener, AuthToken } from "../../server/src/live/live-state";
import type { ReadSide } from "../../server/src/live/read-side";
import type { Change } from "../../server/src/store/changes";

/** How many changes per environment a relay keeps to resume streams from; older ids get a `put`. */
export const RELAY_HISTORY = 1_000;

/** A server or client token of the relay's environments, as `GET /api/relay/tokens` lists it (and the backup keeps it). */
export const relayedTokenSchema = z.object({
  hash: z.string(),
  id: z.string(),
  name: z.string(),
  kind: z.enum(["server", "client"]),
  environment: z.string(),
});
export type RelayedToken = z.infer<typeof relayedTokenSchema>;

interface History {
  /** Every change after this seq is in `changes`. */
  floor: number;
  changes: Change[];
}

/**
 * A relay's read side: what each environment serves, built from its upstream stream's events
 * (a `put` replaces a view, a `patch` or `delete` patches it), and the tokens the server lists
 * for the relay. It is what the server's `LiveState` is to the change log, so the same hub,
 * events and routes serve downstream SDKs from it. Changes are kept as change rows with the
 * upstream's seqs, so downstream event ids are the server's own.
 */
export class RelayState implements ReadSide, HubSource {
  private readonly views = new Map<string, EnvironmentView>();
  private readonly histories = new Map<string, History>();
  private tokens = new Map<string, AuthToken>();
  private tokenIds = new Set<string>();
  private readonly listeners = new Set<AppliedListener>();
  private currentEpoch = "";

  environment(key: string): EnvironmentView | undefined {
    return this.views.get(key);
  }

  environmentKeys(): string[] {
    return [...this.views.keys()];
  }

  tokenByHash(hash: string): AuthToken | undefined {
    return this.tokens.get(hash);
  }

  tokensByHash(): ReadonlyMap<string, AuthToken> {
    return this.tokens;
  }

  hasToken(id: string): boolean {
    return this.tokenIds.has(id);
  }

  /** The newest seq any environment reflects (seqs are the server's, shared by every environment). */
  get appliedSeq(): number {
    let seq = 0;
    for (const view of this.views.values()) seq = Math.max(seq, view.version);
    return seq;
  }

  get epoch(): string {
    return this.currentEpoch;
  }

  /** A relay writes nothing: there is never a local commit to apply. */
  async committed(): Promise<void> {}

  /** Upstream events are applied as they arrive; there is nothing to fetch on demand. */
  async refresh(): Promise<void> {}

  onApplied(listener: AppliedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Upstream events are applied synchronously, so a registering stream's awaits see one state. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async changesSince(environmentKey: string, seq: number, limit: number): Promise<Change[] | undefined> {
    const history = this.histories.get(environmentKey);
    if (history === undefined || seq < history.floor) return undefined;
    const missed = history.changes.filter((change) => change.seq > seq);
    return missed.length > limit ? undefined : missed;
  }

  /** Applies one upstream event of `environmentKey`'s stream. */
  apply(environmentKey: string, update: DataUpdate): void {
    if (update.kind === "put") return this.put(environmentKey, update.snapshot);
    const view = this.views.get(environmentKey);
    // A patch before any put cannot happen on a stream (it starts with a put or resumes one we hold).
    if (view === undefined) return;
    const isFlag = update.kind === "patch-flag" || update.kind === "delete-flag";
    const key = update.kind === "patch-flag" ? update.flag.key : update.kind === "patch-segment" ? update.segment.key : update.key;
    const flags: FlagDefinition[] = update.kind === "patch-flag" ? [update.flag] : [];
    const segments: Segment[] = update.kind === "patch-segment" ? [update.segment] : [];
    const version = Math.max(view.version, update.version);
    this.views.set(
      environmentKey,
      patchView(view, version, {
        flagKeys: new Set(isFlag ? [key] : []),
        flags,
        segmentKeys: new Set(isFlag ? [] : [key]),
        segments,
      }),
    );
    const change: Change = {
      seq: update.version,
      environmentKey: isFlag ? environmentKey : null,
      entity: isFlag ? "flag-config" : "segment",
      key,
      deleted: update.kind === "delete-flag" || update.kind === "delete-segment",
    };
    const history = this.histories.get(environmentKey) ?? { floor: view.version, changes: [] };
    history.changes.push(change);
    while (history.changes.length > RELAY_HISTORY) history.floor = history.changes.shift()?.seq ?? history.floor;
    this.histories.set(environmentKey, history);
    // The server sends a segment its SDKs do not hold only right before the flag that starts using
    // it, with that flag's seq: the flag's event brings both downstream. Applied alone, it would
    // move every stream past that seq and the flag's event would be skipped.
    if (update.kind === "patch-segment" && !view.usedSegmentKeys.has(key)) return;
    this.emit({ changes: [change], environments: [environmentKey], removedEnvironments: [], tokensChanged: false });
  }

  /** The relay no longer serves `environmentKey` (its token lost it, or it was deleted). */
  remove(environmentKey: string): void {
    if (!this.views.delete(environmentKey)) return;
    this.histories.delete(environmentKey);
    this.emit({ changes: [], environments: [], removedEnvironments: [environmentKey], tokensChanged: false });
  }

  /** The server and client tokens the relay accepts, as the server last listed them. */
  setTokens(tokens: readonly RelayedToken[]): void {
    this.tokens = new Map(
      tokens.map((t) => [t.hash, { id: t.id, name: t.name, kind: t.kind, environmentKey: t.environment, environmentKeys: null }]),
    );
    this.tokenIds = new Set(tokens.map((t) => t.id));
    this.emit({ changes: [], environments: [], removedEnvironments: [], tokensChanged: true });
  }

  /** What a backup file holds: each environment as its `put` body, and the tokens. */
  snapshot(): { environments: SdkSnapshot[]; tokens: RelayedToken[] } {
    const environments = [...this.views.values()].map((view) => ({
      environment: view.key,
      version: view.version,
      epoch: view.epoch,
      flags: view.flags,
      segments: view.segments.filter((s) => view.usedSegmentKeys.has(s.key)),
    }));
    const tokens = [...this.tokens.entries()].map(([hash, t]) => ({
      hash,
      id: t.id,
      name: t.name,
      kind: t.kind as RelayedToken["kind"],
      environment: t.environmentKey ?? "",
    }));
    return { environments, tokens };
  }

  private put(environmentKey: string, snapshot: SdkSnapshot): void {
    const epoch = snapshot.epoch ?? "";
    this.currentEpoch = epoch;
    this.views.set(environmentKey, buildView(environmentKey, snapshot.version, epoch, snapshot.flags, snapshot.segments));
    this.histories.set(environmentKey, { floor: snapshot.version, changes: [] });
    this.emit({ changes: [], environments: [environmentKey], removedEnvironments: [], tokensChanged: false });
  }

  private emit(applied: AppliedChanges): void {
    for (const listener of this.listeners) listener(applied);
  }
}
