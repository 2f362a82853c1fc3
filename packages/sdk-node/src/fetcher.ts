import type { DataUpdate, StreamMetricsHint } from "./payloads";

export const FailureKinds = {
  /** The connection could not be made or broke (DNS, refused, reset, timeout). */
  NETWORK: "network",
  /** The server answered with an unexpected HTTP status. */
  STATUS: "status",
  /** An open stream sent nothing, not even a heartbeat, for `heartbeatTimeoutMs`. */
  SILENCE: "silence",
  /** The server sent something that is not what the protocol describes. */
  PAYLOAD: "payload",
} as const;
export type FailureKind = (typeof FailureKinds)[keyof typeof FailureKinds];

export interface FetchFailure {
  kind: FailureKind;
  status?: number;
  message: string;
  /** Failures of this fetcher since it last worked, this one included. */
  consecutiveFailures: number;
}

export function describeFailure(failure: FailureReport): string {
  return failure.status === undefined ? failure.message : `HTTP ${failure.status}: ${failure.message}`;
}

/** A failure as a fetcher observes it, before it counts it. */
export type FailureReport = Omit<FetchFailure, "consecutiveFailures">;

/** Where a fetcher delivers what it got. */
export interface FetcherSink {
  update(update: DataUpdate): void;
  /** The server confirmed the data held is current (a 304, an open stream, a heartbeat). */
  confirmed(): void;
  failure(failure: FetchFailure): void;
  /** The stream's `metrics` events (and the end of the connection that sent them); polling has none. */
  metricsHint?(hint: StreamMetricsHint): void;
}

/**
 * A way of getting flag data from the server: the SSE stream or polling. A fetcher retries on
 * its own schedule until stopped; what to do about failures is the data source's decision.
 */
export interface Fetcher {
  start(): void;
  stop(): void;
}
