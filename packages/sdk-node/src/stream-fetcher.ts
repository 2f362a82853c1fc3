import { type ErrorEvent, EventSource } from "eventsource";
import { Backoff } from "./backoff";
import { type FailureReport, type Fetcher, type FetcherSink, FailureKinds } from "./fetcher";
import type { FetchFunction } from "./options";
import { parseEvent, parseReportAfterMs } from "./payloads";
import { createSseFetch } from "./sse-fetch";

export interface StreamFetcherOptions {
  url: string;
  token: string;
  instanceId: string;
  fetch: FetchFunction;
  heartbeatTimeoutMs: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  sink: FetcherSink;
}

const EVENT_TYPES = ["put", "patch", "delete"] as const;
const MAX_STABLE_CONNECTION_MS = 60_000;

/**
 * The SSE stream (`GET /api/sdk/stream`). Reconnects are ours, not EventSource's: its built-in
 * retry has a fixed delay, no jitter, gives up on any non-200 and forgets `Last-Event-ID`
 * across instances. So every failure closes the EventSource, and a new one opens after an
 * exponential, fully jittered delay, resuming from the last event id applied.
 */
export class StreamFetcher implements Fetcher {
  private source: EventSource | undefined;
  /** Bumped for every connection (and when one fails), so late callbacks of old ones are ignored. */
  private connection = 0;
  private lastEventId: string | undefined;
  private refusal: string | undefined;
  /** When the current connection first delivered bytes; undefined until it does. */
  private receivingSince: number | undefined;
  private running = false;
  private silenceTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;

  constructor(private readonly options: StreamFetcherOptions) {
    this.backoff = new Backoff(options.initialRetryDelayMs, options.maxRetryDelayMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.connection += 1;
    clearTimeout(this.silenceTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.source?.close();
    this.source = undefined;
  }

  private connect(): void {
    this.retryTimer = undefined;
    this.connection += 1;
    const connection = this.connection;
    this.receivingSince = undefined;
    this.refusal = undefined;
    const fetch = createSseFetch({
      fetch: this.options.fetch,
      token: this.options.token,
      instanceId: this.options.instanceId,
      lastEventId: () => this.lastEventId,
      onBytes: () => this.onBytes(connection),
      onRefused: (status, detail) => {
        if (connection === this.connection) this.refusal = detail;
      },
    });
    // The silence timer also bounds a connection attempt that never gets an answer.
    this.armSilenceTimer(connection);
    const source = new EventSource(this.options.url, { fetch });
    this.source = source;
    source.addEventListener("open", () => {
      if (connection === this.connection) this.options.sink.confirmed();
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => this.onMessage(connection, type, event));
    }
    source.addEventListener("metrics", (event) => this.onMetricsHint(connection, event));
    source.addEventListener("error", (event) => this.onError(connection, event));
  }

  private onBytes(connection: number): void {
    if (connection !== this.connection) return;
    this.armSilenceTimer(connection);
    this.receivingSince ??= Date.now();
    this.options.sink.confirmed();
  }

  private onMessage(connection: number, type: string, event: MessageEvent): void {
    if (connection !== this.connection) return;
    const data: unknown = event.data;
    const parsed = parseEvent(type, typeof data === "string" ? data : "");
    if (!parsed.ok) {
      // An event we could not apply leaves a gap: reconnect for a fresh put, not a replay.
      this.lastEventId = undefined;
      this.fail(connection, { kind: FailureKinds.PAYLOAD, message: parsed.problem }, false);
      return;
    }
    this.options.sink.update(parsed.value);
    if (event.lastEventId !== "") this.lastEventId = event.lastEventId;
  }

  /** Advisory: one we cannot read leaves the cadence to the metrics responses, not a reason to reconnect. */
  private onMetricsHint(connection: number, event: MessageEvent): void {
    if (connection !== this.connection) return;
    const data: unknown = event.data;
    this.options.sink.metricsHint?.({ kind: "report-after", reportAfterMs: parseReportAfterMs(typeof data === "string" ? data : "") });
  }

  private onError(connection: number, event: ErrorEvent): void {
    if (connection !== this.connection) return;
    const failure: FailureReport =
      event.code !== undefined && event.code !== 200
        ? { kind: FailureKinds.STATUS, status: event.code, message: this.refusal ?? event.message ?? "refused" }
        : { kind: FailureKinds.NETWORK, message: event.message ?? "the server closed the stream" };
    // Inside this dispatch EventSource may be about to arm its own reconnect timer; closing it
    // after the dispatch returns clears that timer, so nothing is left running.
    this.fail(connection, failure, true);
  }

  private fail(connection: number, failure: FailureReport, closeLater: boolean): void {
    if (connection !== this.connection || !this.running) return;
    this.connection += 1;
    clearTimeout(this.silenceTimer);
    const source = this.source;
    this.source = undefined;
    if (closeLater) queueMicrotask(() => source?.close());
    else source?.close();
    this.options.sink.metricsHint?.({ kind: "stream-ended" });
    // Only a connection that delivered data for a while proves the stream works: one that
    // sends a put and hangs up at once must keep backing off, not reconnect in a tight loop.
    // Outliving a heartbeat timeout is that proof (a minute at most).
    const stableMs = Math.min(this.options.heartbeatTimeoutMs, MAX_STABLE_CONNECTION_MS);
    if (this.receivingSince !== undefined && Date.now() - this.receivingSince >= stableMs) this.backoff.reset();
    const delayMs = this.backoff.nextDelayMs();
    this.options.sink.failure({ ...failure, consecutiveFailures: this.backoff.consecutiveFailures });
    if (!this.running) return;
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
    this.retryTimer.unref();
  }

  private armSilenceTimer(connection: number): void {
    clearTimeout(this.silenceTimer);
    const timeoutMs = this.options.heartbeatTimeoutMs;
    this.silenceTimer = setTimeout(() => {
      this.fail(connection, { kind: FailureKinds.SILENCE, message: `no data or heartbeat for ${timeoutMs} ms` }, false);
    }, timeoutMs);
    this.silenceTimer.unref();
  }
}
