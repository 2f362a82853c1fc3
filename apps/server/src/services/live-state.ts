import { compile, type Engine, type FlagDefinition, type Segment } from "@switchyard/core";
import type { Logger } from "pino";
import type { TokenKind } from "../auth/token-secrets";
import type { ChangeBus } from "../bus/change-bus";
import { changesSince, latestSeq, type Change } from "../store/changes";
import type { Db } from "../store/database";
import { listEnvironments } from "../store/environments";
import { loadFlagDefinitions, loadSegments } from "../store/snapshots";
import { listTokens } from "../store/tokens";

export interface AuthToken {
  id: string;
  name: string;
  kind: TokenKind;
  environmentKey: string | null;
}

/** What an environment serves, compiled once per change; the hot path never touches the database. */
export interface EnvironmentView {
  key: string;
  /** The change sequence number this view reflects. */
  version: number;
  engine: Engine;
  flags: FlagDefinition[];
  segments: Segment[];
  flagsByKey: ReadonlyMap<string, FlagDefinition>;
  segmentsByKey: ReadonlyMap<string, Segment>;
  /** `GET /api/sdk/flags` body (and the stream's `put`), serialized once per change. */
  sdkBody: string;
  etag: string;
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
    await this.refresh();
    this.bus?.publish(this.seq);
  }

  get appliedSeq(): number {
    return this.seq;
  }

  tokenByHash(hash: string): AuthToken | undefined {
    return this.tokens.get(hash);
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

  /** Serialized so two refreshes never interleave their reads. */
  refresh(): Promise<void> {
    const next = this.pending.then(() => this.applyChanges());
    this.pending = next.catch(() => {});
    return next;
  }

  async load(): Promise<void> {
    const run = async () => {
      const seq = await latestSeq(this.db);
      await this.reloadTokens();
      await this.reloadEnvironments(null, seq);
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
      await this.reloadTokens();
      await this.reloadEnvironments(null, seq);
      this.seq = seq;
      // Listeners cannot know what changed: they get every environment with no change rows, and resend everything.
      this.emit({ changes: [], environments: [...this.views.keys()], removedEnvironments: [...before].filter((k) => !this.views.has(k)), tokensChanged: true });
      return;
    }
    let tokens = false;
    let everyEnvironment = false;
    const touched = new Set<string>();
    for (const change of changes) {
      if (change.entity === "token") tokens = true;
      else if (change.entity === "environment") {
        everyEnvironment = true;
        tokens = true; // deleting an environment deletes its tokens
      } else if (change.environmentKey === null) everyEnvironment = true;
      else touched.add(change.environmentKey);
    }
    if (tokens) await this.reloadTokens();
    await this.reloadEnvironments(everyEnvironment ? null : touched, last.seq);
    this.seq = last.seq;
    this.emit({
      changes,
      environments: everyEnvironment ? [...this.views.keys()] : [...touched].filter((k) => this.views.has(k)),
      removedEnvironments: [...before].filter((k) => !this.views.has(k)),
      tokensChanged: tokens,
    });
  }

  private async reloadTokens(): Promise<void> {
    const rows = await listTokens(this.db);
    this.tokens = new Map(
      rows.map((r) => [
        r.tokenHash,
        // The kind column is only written from TokenKinds.
        { id: r.id, name: r.name, kind: r.kind as TokenKind, environmentKey: r.environmentKey },
      ]),
    );
  }

  /** `only` null means every environment (and picks up created or deleted ones). */
  private async reloadEnvironments(only: Set<string> | null, seq: number): Promise<void> {
    const segments = await loadSegments(this.db);
    if (only === null) {
      const keys = (await listEnvironments(this.db)).map((e) => e.key);
      const views = new Map<string, EnvironmentView>();
      for (const key of keys) views.set(key, await this.buildView(key, segments, seq));
      this.views = views;
      return;
    }
    for (const key of only) {
      if (this.views.has(key)) this.views.set(key, await this.buildView(key, segments, seq));
    }
  }

  private async buildView(key: string, segments: Segment[], seq: number): Promise<EnvironmentView> {
    const flags = await loadFlagDefinitions(this.db, key);
    const engine = compile({ flags, segments });
    const sdkBody = JSON.stringify({ environment: key, version: seq, flags, segments });
    return {
      key,
      version: seq,
      engine,
      flags,
      segments,
      flagsByKey: new Map(flags.map((f) => [f.key, f])),
      segmentsByKey: new Map(segments.map((s) => [s.key, s])),
      sdkBody,
      etag: `W/"${key}-${seq}"`,
    };
  }
}
