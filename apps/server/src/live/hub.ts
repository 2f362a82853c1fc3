import type { EvaluationContext } from "@switchyard/core";
import type { Logger } from "pino";
import type { Change } from "../store/changes";
import type { AppliedListener, AppliedChanges } from "./live-state";
import type { EnvironmentView } from "./environment-view";
import { metricsHint, type ObservedSource } from "./metrics-hint";
import { affectedFlags, clientValuesPatch, clientValuesPut, type ClientValues } from "./events/client-events";
import { ofrepRefetchEvent } from "./events/ofrep-events";
import { concerns, metricsEvent, putEvent, readEventId, sdkEvents, TOKENS_EVENT, type StreamEvent } from "./events/sdk-events";
import type { SseSink } from "./transport/sse-sink";

export const HEARTBEAT_MS = 15_000;
/**
 * How often SDK streams learn that a deploy started or ended in their environment. Faster than
 * the heartbeat, since a deploy's first interval needs the SDKs' counts; the answer is cached
 * (ObservedEnvironments), so a check costs at most one query a second.
 */
export const METRICS_HINT_CHECK_MS = 1_000;
/** More missed changes than this on resume and a fresh `put` is cheaper than the patches. */
const REPLAY_LIMIT = 1_000;

interface SdkConnection {
  environmentKey: string;
  tokenId: string;
  instanceId: string | undefined;
  sink: SseSink;
  lastSeq: number;
  /** The `reportAfterMs` this stream was last told; undefined: none (the SDK's own interval). */
  reportAfterMs: number | undefined;
  /** A relay's upstream: told when tokens change (`TOKENS_EVENT`). */
  tokenNotices: boolean;
}

interface ClientConnection {
  environmentKey: string;
  tokenId: string;
  context: EvaluationContext;
  sink: SseSink;
  values: ClientValues;
}

/** An OFREP event stream: told to refetch when its environment changes (live/events/ofrep-events.ts). */
interface OfrepConnection {
  environmentKey: string;
  tokenId: string;
  sink: SseSink;
}

export interface InstanceTracker {
  connected(environmentKey: string, instanceId: string): void;
  disconnected(environmentKey: string, instanceId: string): void;
  stillConnected(instances: Array<{ environmentKey: string; instanceId: string }>): void;
}

/**
 * What the hub follows: what each environment serves, what was applied, and the changes to
 * replay to a stream that resumes. The server's `LiveState` reads them from the change log; a
 * relay's state from its upstream streams (apps/relay).
 */
export interface HubSource {
  environment(key: string): EnvironmentView | undefined;
  readonly appliedSeq: number;
  readonly epoch: string;
  hasToken(id: string): boolean;
  onApplied(listener: AppliedListener): () => void;
  /** Runs `work` while nothing is applied, so a stream registering sees one consistent state. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * The changes after `seq` up to `appliedSeq` that concern `environmentKey`, in seq order; or
   * `undefined` when there are more than `limit` or this source no longer has them all (the
   * stream then gets a `put`).
   */
  changesSince(environmentKey: string, seq: number, limit: number): Promise<Change[] | undefined>;
}

export interface StreamHubOptions {
  instances?: InstanceTracker | undefined;
  /** Without it, SDK streams get no `metrics` events. */
  observed?: ObservedSource | undefined;
  heartbeatMs?: number | undefined;
  metricsHintCheckMs?: number | undefined;
}

/**
 * The per-replica registry of open streams. It turns what LiveState applied into events: the
 * changed flags and segments for SDK streams, and the changed values for client streams.
 */
export class StreamHub {
  private readonly sdk = new Set<SdkConnection>();
  private readonly clients = new Set<ClientConnection>();
  private readonly ofrep = new Set<OfrepConnection>();
  /** Per environment, the segments its flags used at the last change streamed (what its SDKs hold). */
  private readonly usedSegments = new Map<string, ReadonlySet<string>>();
  private readonly timer: NodeJS.Timeout;
  private readonly hintTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private readonly instances: InstanceTracker | undefined;
  private readonly observed: ObservedSource | undefined;

  constructor(
    private readonly live: HubSource,
    private readonly logger: Logger,
    options: StreamHubOptions = {},
  ) {
    this.instances = options.instances;
    this.observed = options.observed;
    this.unsubscribe = live.onApplied((applied) => this.apply(applied));
    this.timer = setInterval(() => this.heartbeat(), options.heartbeatMs ?? HEARTBEAT_MS);
    this.timer.unref();
    if (this.observed !== undefined) {
      this.hintTimer = setInterval(() => void this.sendMetricsHints([...this.sdk]), options.metricsHintCheckMs ?? METRICS_HINT_CHECK_MS);
      this.hintTimer.unref();
    }
  }

  get counts(): { sdk: number; client: number; ofrep: number } {
    return { sdk: this.sdk.size, client: this.clients.size, ofrep: this.ofrep.size };
  }

  /** Instance ids with an open stream on this replica, per environment. */
  connectedInstances(environmentKey: string): string[] {
    const ids = new Set<string>();
    for (const c of this.sdk) if (c.environmentKey === environmentKey && c.instanceId) ids.add(c.instanceId);
    return [...ids];
  }

  /**
   * Registers an SDK stream and sends what it needs first: the missed changes when `lastEventId`
   * is a point this server can resume from, else a full `put`. Returns a function to unregister.
   */
  async connectSdk(options: {
    environmentKey: string;
    tokenId: string;
    instanceId: string | undefined;
    lastEventId: number | undefined;
    sink: SseSink;
    /** A relay's upstream stream: it gets `event: tokens` when a token is made or deleted. */
    tokenNotices?: boolean;
  }): Promise<() => void> {
    return this.live.exclusive(async () => {
      const view = this.live.environment(options.environmentKey);
      if (!view) {
        options.sink.close();
        return () => {};
      }
      let first: StreamEvent[] = [putEvent(view)];
      const resumeFrom = options.lastEventId;
      if (resumeFrom !== undefined && resumeFrom <= this.live.appliedSeq) {
        const missed = await this.live.changesSince(view.key, resumeFrom, REPLAY_LIMIT);
        if (missed !== undefined) first = sdkEvents(view, missed);
      }
      const connection: SdkConnection = {
        ...options,
        lastSeq: Math.max(view.version, resumeFrom ?? 0),
        reportAfterMs: undefined,
        tokenNotices: options.tokenNotices ?? false,
      };
      for (const event of first) options.sink.send(event);
      this.sdk.add(connection);
      // Right after the put: a stream opened during a deploy learns of it at once.
      void this.sendMetricsHints([connection]);
      if (options.instanceId) this.instances?.connected(options.environmentKey, options.instanceId);
      return () => {
        if (!this.sdk.delete(connection)) return;
        if (options.instanceId && !this.connectedInstances(options.environmentKey).includes(options.instanceId)) {
          this.instances?.disconnected(options.environmentKey, options.instanceId);
        }
      };
    });
  }

  /** Registers a client stream: its values first, then only values that change. */
  async connectClient(options: {
    environmentKey: string;
    tokenId: string;
    context: EvaluationContext;
    sink: SseSink;
  }): Promise<() => void> {
    return this.live.exclusive(async () => {
      const view = this.live.environment(options.environmentKey);
      if (!view) {
        options.sink.close();
        return () => {};
      }
      const { event, values } = clientValuesPut(view, options.context);
      options.sink.send(event);
      const connection: ClientConnection = { ...options, values };
      this.clients.add(connection);
      return () => void this.clients.delete(connection);
    });
  }

  /**
   * Registers an OFREP event stream. It is told to refetch at once — whatever changed while it
   * was (re)connecting is then fetched, with a 304 when nothing did — and after every change to
   * its environment.
   */
  connectOfrep(options: { environmentKey: string; tokenId: string; sink: SseSink }): () => void {
    if (!this.live.environment(options.environmentKey)) {
      options.sink.close();
      return () => {};
    }
    const connection: OfrepConnection = { ...options };
    options.sink.send(ofrepRefetchEvent(this.live.epoch, this.live.appliedSeq));
    this.ofrep.add(connection);
    return () => void this.ofrep.delete(connection);
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.hintTimer);
    this.unsubscribe();
    for (const c of this.sdk) c.sink.close();
    for (const c of this.clients) c.sink.close();
    for (const c of this.ofrep) c.sink.close();
    this.sdk.clear();
    this.clients.clear();
    this.ofrep.clear();
  }

  private apply(applied: AppliedChanges): void {
    const removed = new Set(applied.removedEnvironments);
    const gone = (c: { environmentKey: string; tokenId: string }) =>
      removed.has(c.environmentKey) || (applied.tokensChanged && !this.live.hasToken(c.tokenId));
    // Most changes remove nothing: no walk over every open stream for them.
    if (removed.size > 0 || applied.tokensChanged) {
      closeWhere(this.sdk, gone);
      closeWhere(this.clients, gone);
      closeWhere(this.ofrep, gone);
    }
    if (applied.tokensChanged) for (const c of this.sdk) if (c.tokenNotices) c.sink.send(TOKENS_EVENT);
    for (const environmentKey of applied.environments) {
      const view = this.live.environment(environmentKey);
      if (!view) continue;
      const fullReload = applied.changes.length === 0;
      const events = fullReload ? [putEvent(view)] : sdkEvents(view, applied.changes, this.usedSegments.get(environmentKey));
      this.usedSegments.set(environmentKey, view.usedSegmentKeys);
      // The seq each event brings a stream to (a put: whatever it holds, it is replaced).
      const seqs = events.map((event) =>
        event.event === "put" ? Number.POSITIVE_INFINITY : (readEventId(event.id)?.seq ?? Number.POSITIVE_INFINITY),
      );
      for (const c of this.sdk) {
        if (c.environmentKey !== environmentKey) continue;
        for (let i = 0; i < events.length; i++) {
          const event = events[i];
          if (event !== undefined && (seqs[i] ?? 0) > c.lastSeq) c.sink.send(event);
        }
        c.lastSeq = Math.max(c.lastSeq, view.version);
      }
      if (!fullReload && !applied.changes.some((change: Change) => concerns(change, environmentKey))) continue;
      const refetch = ofrepRefetchEvent(this.live.epoch, this.live.appliedSeq);
      for (const c of this.ofrep) if (c.environmentKey === environmentKey) c.sink.send(refetch);
      // Computed once per environment, only when it has client streams.
      let affected: ReadonlySet<string> | undefined;
      for (const c of this.clients) {
        if (c.environmentKey !== environmentKey) continue;
        if (!fullReload) affected ??= affectedFlags(view, applied.changes);
        const patch = clientValuesPatch(view, c.context, c.values, affected);
        if (patch) {
          c.values = patch.values;
          c.sink.send(patch.event);
        }
      }
    }
  }

  /** Tells each stream whose environment started or stopped being observed by a deploy. */
  private async sendMetricsHints(connections: SdkConnection[]): Promise<void> {
    if (this.observed === undefined || connections.length === 0) return;
    const observed = await this.observed.current();
    for (const c of connections) {
      if (!this.sdk.has(c)) continue;
      const hint = metricsHint(observed.has(c.environmentKey));
      if (hint.reportAfterMs === c.reportAfterMs) continue;
      c.reportAfterMs = hint.reportAfterMs;
      c.sink.send(metricsEvent(hint));
    }
  }

  private heartbeat(): void {
    const seen: Array<{ environmentKey: string; instanceId: string }> = [];
    for (const c of this.sdk) {
      c.sink.heartbeat();
      if (c.instanceId) seen.push({ environmentKey: c.environmentKey, instanceId: c.instanceId });
    }
    for (const c of this.clients) c.sink.heartbeat();
    for (const c of this.ofrep) c.sink.heartbeat();
    if (seen.length > 0) this.instances?.stillConnected(seen);
    this.logger.debug(this.counts, "stream heartbeat");
  }
}

function closeWhere<T extends { sink: SseSink }>(connections: Set<T>, shouldClose: (connection: T) => boolean): void {
  for (const connection of connections) {
    if (!shouldClose(connection)) continue;
    connection.sink.close();
    connections.delete(connection);
  }
}
