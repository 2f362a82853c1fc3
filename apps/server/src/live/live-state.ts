import type { Logger } from "pino";
import type { TokenKind } from "../auth/token-secrets";
import type { ChangeBus } from "./bus/change-bus";
import { changesSince, latestSeq, type Change } from "../store/changes";
import { readDatabaseEpoch } from "../store/database-epoch";
import type { Db } from "../store/database";
import { listEnvironments } from "../store/environments";
import { loadFlagDefinitions, loadSegments } from "../store/snapshots";
import { listTokens } from "../store/tokens";
import { buildView, patchView, type EnvironmentView } from "./environment-view";
import { concerns } from "./events/sdk-events";

export type { EnvironmentView } from "./environment-view";

export interface AuthToken {
  id: string;
  name: string;
  kind: TokenKind;
  environmentKey: string | null;
  /** A relay token's environments; null for every other kind. */
  environmentKeys: readonly string[] | null;
}

/** What one refresh applied: the change rows, and the environments whose views were rebuilt. */
export interface AppliedChanges {
  changes: Change[];
  environments: string[];
  /** Environments that no longer exist. */
  removedEnvironments: string[];
  /** True when the token table was reloaded (a token may have been deleted). */
  tokensChanged: boolean;
}

export type AppliedListener = (applied: AppliedChanges) => void;

const CHANGE_BATCH = 5_000;

/**
 * The per-replica, in-memory copy of what evaluation and authentication need, derived from the
 * change log in Postgres. `refresh()` applies every change after the last one applied; it runs
 * after each local write and on a catch-up tick, so changes made by other replicas arrive too.
 */
export class LiveState {
  private seq = 0;
  private currentEpoch = "";
  private tokens = new Map<string, AuthToken>();
  private views = new Map<string, EnvironmentView>();
  private pending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<AppliedListener>();

  private unsubscribeBus: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly bus?: ChangeBus,
  ) {}

  /** After a local commit: apply it here, then ring the other replicas' doorbell. */
  async committed(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      // The write is committed; only this replica's copy lags. The catch-up tick retries, so the
      // client gets its success answer instead of a 500 for a write that happened.
      this.logger.warn({ err: error }, "refresh after a write failed; the catch-up tick will apply it");
    }
    this.bus?.publish(this.seq);
  }

  get appliedSeq(): number {
    return this.seq;
  }

  /** The database's history (store/database-epoch.ts); read at load, sent with every full payload. */
  get epoch(): string {
    return this.currentEpoch;
  }

  tokenByHash(hash: string): AuthToken | undefined {
    return this.tokens.get(hash);
  }

  /** Replaced, never changed in place, when tokens reload: a caller may keep it. */
  tokensByHash(): ReadonlyMap<string, AuthToken> {
    return this.tokens;
  }

  environment(key: string): EnvironmentView | undefined {
    return this.views.get(key);
  }

  /** Called after each refresh that applied changes, in order (the stream hub listens). */
  onApplied(listener: AppliedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(applied: AppliedChanges): void {
    for (const listener of this.listeners) {
      try {
        listener(applied);
      } catch (error) {
        this.logger.error({ err: error }, "change listener failed");
      }
    }
  }

  hasToken(id: string): boolean {
    for (const token of this.tokens.values()) if (token.id === id) return true;
    return false;
  }

  /**
   * Runs `work` while no refresh can apply changes, so it sees one consistent state (a stream
   * registering itself cannot miss a change applied between its reads).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.pending.then(work);
    this.pending = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  /**
   * What a resuming stream missed, from the change log: rows after `seq` up to what this replica
   * applied that concern the environment, `undefined` past `limit` of them (a put is cheaper).
   */
  async changesSince(environmentKey: string, seq: number, limit: number): Promise<Change[] | undefined> {
    const missed = (await changesSince(this.db, seq, limit + 1)).filter((c) => c.seq <= this.seq && concerns(c, environmentKey));
    return missed.length > limit ? undefined : missed;
  }

  /** Serialized so two refreshes never interleave their reads. */
  refresh(): Promise<void> {
    const next = this.pending.then(() => this.applyChanges());
    this.pending = next.catch(() => {});
    return next;
  }

  async load(): Promise<void> {
    const run = async () => {
      const seq = await latestSeq(this.db);
      this.currentEpoch = await readDatabaseEpoch(this.db);
      await this.reloadTokens();
      await this.reloadEnvironments(seq);
      this.seq = seq;
    };
    const next = this.pending.then(run);
    this.pending = next.catch(() => {});
    return next;
  }

  /**
   * Follows changes written by other replicas: at once when the bus rings (seq ahead of ours, or
   * 0 after a bus reconnect), and on a catch-up tick in case a message was lost.
   */
  start(options: { catchUpIntervalMs: number }): void {
    const refresh = () => this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, "refresh from the change log failed"));
    this.unsubscribeBus = this.bus?.subscribe((seq) => {
      if (seq === 0 || seq > this.seq) void refresh();
    });
    this.timer = setInterval(refresh, options.catchUpIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribeBus?.();
  }

  private async applyChanges(): Promise<void> {
    const changes = await changesSince(this.db, this.seq, CHANGE_BATCH);
    const last = changes.at(-1);
    if (!last) return;
    const before = new Set(this.views.keys());
    if (changes.length === CHANGE_BATCH) {
      // Far behind: one full reload is cheaper than replaying.
      const seq = await latestSeq(this.db);
      this.currentEpoch = await readDatabaseEpoch(this.db);
      await this.reloadTokens();
      await this.reloadEnvironments(seq);
      this.seq = seq;
      // Listeners cannot know what changed: they get every environment with no change rows, and resend everything.
      this.emit({
        changes: [],
        environments: [...this.views.keys()],
        removedEnvironments: [...before].filter((k) => !this.views.has(k)),
        tokensChanged: true,
      });
      return;
    }
    let tokens = false;
    let structure = false;
    const flagKeysByEnvironment = new Map<string, Set<string>>();
    const everyEnvironmentFlagKeys = new Set<string>();
    const segmentKeys = new Set<string>();
    for (const change of changes) {
      if (change.entity === "token") tokens = true;
      else if (change.entity === "environment") {
        structure = true;
        tokens = true; // deleting an environment deletes its tokens
      } else if (change.entity === "segment") segmentKeys.add(change.key);
      else if (change.environmentKey === null) everyEnvironmentFlagKeys.add(change.key);
      else
        flagKeysByEnvironment.set(change.environmentKey, (flagKeysByEnvironment.get(change.environmentKey) ?? new Set()).add(change.key));
    }
    if (tokens) await this.reloadTokens();
    let patched: string[];
    if (structure) {
      await this.reloadEnvironments(last.seq);
      patched = [...this.views.keys()];
    } else {
      patched = await this.patchEnvironments(flagKeysByEnvironment, everyEnvironmentFlagKeys, segmentKeys, last.seq);
    }
    this.seq = last.seq;
    this.emit({
      changes,
      environments: patched,
      removedEnvironments: [...before].filter((k) => !this.views.has(k)),
      tokensChanged: tokens,
    });
  }

  /** Reloads only the changed flags and segments of each environment they touch. */
  private async patchEnvironments(
    flagKeysByEnvironment: Map<string, Set<string>>,
    everyEnvironmentFlagKeys: Set<string>,
    segmentKeys: Set<string>,
    seq: number,
  ): Promise<string[]> {
    const segments = await loadSegments(this.db, segmentKeys);
    const patched: string[] = [];
    for (const view of [...this.views.values()]) {
      const flagKeys = new Set([...everyEnvironmentFlagKeys, ...(flagKeysByEnvironment.get(view.key) ?? [])]);
      if (flagKeys.size === 0 && segmentKeys.size === 0) continue;
      const flags = flagKeys.size === 0 ? [] : await loadFlagDefinitions(this.db, view.key, flagKeys);
      this.views.set(view.key, patchView(view, seq, { flagKeys, flags, segmentKeys, segments }));
      patched.push(view.key);
    }
    return patched;
  }

  private async reloadTokens(): Promise<void> {
    const rows = await listTokens(this.db);
    this.tokens = new Map(
      rows.map((r) => [
        r.tokenHash,
        // The kind column is only written from TokenKinds.
        { id: r.id, name: r.name, kind: r.kind as TokenKind, environmentKey: r.environmentKey, environmentKeys: r.environmentKeys },
      ]),
    );
  }

  /** Rebuilds every environment (and picks up created or deleted ones). */
  private async reloadEnvironments(seq: number): Promise<void> {
    const segments = await loadSegments(this.db);
    const views = new Map<string, EnvironmentView>();
    for (const { key } of await listEnvironments(this.db))
      views.set(key, buildView(key, seq, this.currentEpoch, await loadFlagDefinitions(this.db, key), segments));
    this.views = views;
  }
}
