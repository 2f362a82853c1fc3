import { authFailureMessage } from "./endpoints";
import { SwitchyardError, SwitchyardErrorCodes } from "./errors";
import { describeFailure, type Fetcher, type FetcherSink, type FetchFailure, FailureKinds } from "./fetcher";
import { FailureActions, isFatal, streamFailureAction } from "./failover-policy";
import type { DataUpdate, StreamMetricsHint } from "./payloads";

export interface DataSourceListener {
  update(update: DataUpdate): void;
  /** The server confirmed the data held is current. */
  confirmed(): void;
  /** The primary connection was lost: the data may be getting old. Once per outage. */
  stale(reason: string): void;
  /** After `stale`, a fetcher reached the server again. */
  recovered(): void;
  /** The server rejected the token; everything stopped. */
  fatal(error: SwitchyardError): void;
  /** A failure worth reporting (the first of an outage, a fall-back, a bad payload). */
  problem(error: SwitchyardError): void;
  /** What the stream says about the metrics cadence. */
  metricsHint(hint: StreamMetricsHint): void;
}

export interface DataSourceOptions {
  streaming: boolean;
  pollIntervalMs: number;
  createStream(sink: FetcherSink): Fetcher;
  createPoll(sink: FetcherSink): Fetcher;
  listener: DataSourceListener;
}

/**
 * Runs the fetchers by the failover policy: the stream first; polling when streaming is off,
 * when the server has no stream, or after repeated stream failures — and back to the stream
 * alone as soon as it delivers again. Stops everything on a rejected token.
 */
export class DataSource {
  private readonly stream: Fetcher | undefined;
  private readonly poll: Fetcher;
  private polling = false;
  private stale = false;
  private stopped = false;
  /** The fall-back to polling was reported in the current series of stream failures. */
  private fallbackReported = false;

  constructor(private readonly options: DataSourceOptions) {
    this.stream = options.streaming
      ? options.createStream({
          update: (update) => this.onStreamAlive(() => options.listener.update(update)),
          confirmed: () => this.onStreamAlive(() => options.listener.confirmed()),
          failure: (failure) => this.onStreamFailure(failure),
          metricsHint: (hint) => {
            if (!this.stopped) options.listener.metricsHint(hint);
          },
        })
      : undefined;
    this.poll = options.createPoll({
      update: (update) => this.onPollAlive(() => options.listener.update(update)),
      confirmed: () => this.onPollAlive(() => options.listener.confirmed()),
      failure: (failure) => this.onPollFailure(failure),
    });
  }

  start(): void {
    if (this.stopped) return;
    if (this.stream !== undefined) this.stream.start();
    else this.startPolling();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.stop();
    this.poll.stop();
    this.polling = false;
  }

  private startPolling(): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    this.poll.start();
  }

  private onStreamAlive(deliver: () => void): void {
    if (this.stopped) return;
    if (this.polling) {
      this.polling = false;
      this.poll.stop();
    }
    this.markRecovered();
    deliver();
  }

  private onPollAlive(deliver: () => void): void {
    if (this.stopped) return;
    this.markRecovered();
    deliver();
  }

  private onStreamFailure(failure: FetchFailure): void {
    if (this.stopped) return;
    const action = streamFailureAction(failure);
    if (action === FailureActions.STOP) {
      this.fatal(failure);
      return;
    }
    const reason = describeFailure(failure);
    const fallingBack = action === FailureActions.POLL && !this.polling;
    // While polling stands in, the background stream retries are expected to fail.
    if (!this.polling) this.markStale(`stream lost: ${reason}`);
    if (failure.consecutiveFailures === 1) this.fallbackReported = false;
    if (fallingBack) {
      this.startPolling();
      // A stream that keeps delivering a put and dropping toggles polling; say so once.
      if (this.fallbackReported) return;
      this.fallbackReported = true;
      const polling = `polling every ${this.options.pollIntervalMs} ms and retrying the stream`;
      this.report(failure, `Switchyard stream unavailable (${reason}); ${polling}`);
    } else if (failure.consecutiveFailures === 1 || failure.kind === FailureKinds.PAYLOAD) {
      this.report(failure, `Switchyard stream lost (${reason}); reconnecting`);
    }
  }

  private onPollFailure(failure: FetchFailure): void {
    if (this.stopped) return;
    if (isFatal(failure)) {
      this.fatal(failure);
      return;
    }
    const reason = describeFailure(failure);
    this.markStale(`polling failed: ${reason}`);
    if (failure.consecutiveFailures === 1 || failure.kind === FailureKinds.PAYLOAD) {
      this.report(failure, `Switchyard polling failed (${reason}); serving the last known flags`);
    }
  }

  private fatal(failure: FetchFailure): void {
    this.stop();
    const status = failure.status ?? 401;
    this.options.listener.fatal(
      new SwitchyardError(SwitchyardErrorCodes.UNAUTHORIZED, authFailureMessage(status, failure.message), status),
    );
  }

  private report(failure: FetchFailure, message: string): void {
    const code = failure.kind === FailureKinds.PAYLOAD ? SwitchyardErrorCodes.PAYLOAD : SwitchyardErrorCodes.NETWORK;
    this.options.listener.problem(new SwitchyardError(code, message, failure.status));
  }

  private markStale(reason: string): void {
    if (this.stale) return;
    this.stale = true;
    this.options.listener.stale(reason);
  }

  private markRecovered(): void {
    if (!this.stale) return;
    this.stale = false;
    this.options.listener.recovered();
  }
}
