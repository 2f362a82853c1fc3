import type { ContextSample } from "./context-sample";
import { authorization, isAuthStatus, readErrorDetail, REQUEST_TIMEOUT_MS } from "./endpoints";
import { describeError } from "./errors";
import type { FetchFunction, Logger } from "./options";
import { parseReportAfterMs, type StreamMetricsHint } from "./payloads";
import { SDK_NAME } from "./sdk-info";
import { splitPeriod, UsageMetrics, type UsagePeriod } from "./usage-metrics";

export interface MetricsReporterOptions {
  url: string;
  token: string;
  instanceId: string;
  fetch: FetchFunction;
  logger: Logger;
  intervalMs: number;
  /** When false only the version acknowledgement is sent: no counts, no events. */
  sendUsage: boolean;
  /** The contexts evaluated this period, sent with the first report of each period; none when undefined. */
  sample?: ContextSample | undefined;
  version(): number | undefined;
  /** The database history the version counts in; the server ignores versions of another one. */
  epoch(): string | undefined;
  onAuthFailure(status: number, detail: string): void;
}

/** The version acknowledgement goes out this long after a change (changes within it share one). */
export const ACKNOWLEDGE_DELAY_MS = 1_000;
/** How long `close()` waits for the final report. */
export const CLOSE_REPORT_TIMEOUT_MS = 3_000;
/** The most often a server's `reportAfterMs` can make the SDK report. */
export const MIN_REPORT_AFTER_MS = 250;

type Delivery = "sent" | "dropped" | "retry" | "refused";

/**
 * Sends `POST /api/sdk/metrics`: the period's counts every `intervalMs` and on close, and the
 * bare `{ instanceId, sdk, version }` about a second after each applied change, so the server
 * learns quickly which instances serve which version (deploy propagation waits for it).
 *
 * While a deploy observes the environment the server asks for `reportAfterMs` (a `metrics`
 * stream event, or a field of the metrics response): the counts then go out that often, so
 * each of the deploy's intervals gets its own; when the server withdraws it, `intervalMs` again.
 */
export class MetricsReporter {
  readonly usage = new UsageMetrics(Date.now());
  private reportTimer: NodeJS.Timeout | undefined;
  private acknowledgeTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private stopped = false;
  private failing = false;
  private lastReportAt = Date.now();
  private reporting = false;
  /** The server's `reportAfterMs`; undefined while it asks for nothing. */
  private reportAfterMs: number | undefined;
  /**
   * A stream that sent a hint outranks metrics responses until it ends: with several replicas a
   * response may come from one whose view of the deploys is a moment behind the stream's.
   */
  private streamOwnsHint = false;
  /** Set once the server refused a report carrying `contexts` (400): they are not sent again. */
  private contextsRefused = false;

  constructor(private readonly options: MetricsReporterOptions) {}

  start(): void {
    if (!this.options.sendUsage || this.stopped) return;
    this.schedule();
  }

  /** The period between reports now: the user's interval, or the server's hint when that is more often. */
  get reportIntervalMs(): number {
    const hinted = this.reportAfterMs === undefined ? Number.POSITIVE_INFINITY : Math.max(MIN_REPORT_AFTER_MS, this.reportAfterMs);
    return Math.min(this.options.intervalMs, hinted);
  }

  streamHint(hint: StreamMetricsHint): void {
    if (hint.kind === "stream-ended") {
      this.streamOwnsHint = false;
      return;
    }
    this.streamOwnsHint = true;
    this.setReportAfter(hint.reportAfterMs);
  }

  acknowledgeSoon(): void {
    if (this.stopped || this.acknowledgeTimer !== undefined) return;
    this.acknowledgeTimer = setTimeout(() => {
      this.acknowledgeTimer = undefined;
      void this.track(this.post(this.identity(), REQUEST_TIMEOUT_MS));
    }, ACKNOWLEDGE_DELAY_MS);
    this.acknowledgeTimer.unref();
  }

  /** Stops at once, dropping what was not sent (the token was rejected). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.reportTimer);
    clearTimeout(this.acknowledgeTimer);
    this.controller.abort();
  }

  /** Stops the timers, waits for reports in flight, then sends the last period (or the pending acknowledgement). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reportTimer);
    const acknowledgementPending = this.acknowledgeTimer !== undefined;
    clearTimeout(this.acknowledgeTimer);
    await Promise.allSettled([...this.inFlight]);
    if (this.options.sendUsage) await this.sendUsage(CLOSE_REPORT_TIMEOUT_MS);
    else if (acknowledgementPending) await this.post(this.identity(), CLOSE_REPORT_TIMEOUT_MS);
  }

  private setReportAfter(reportAfterMs: number | undefined): void {
    if (!this.options.sendUsage || this.stopped || reportAfterMs === this.reportAfterMs) return;
    this.reportAfterMs = reportAfterMs;
    this.schedule();
  }

  /** The next report one period after the last: at once when a hint shortens a period already over. */
  private schedule(): void {
    clearTimeout(this.reportTimer);
    if (this.stopped) return;
    const delayMs = Math.max(0, this.lastReportAt + this.reportIntervalMs - Date.now());
    this.reportTimer = setTimeout(() => this.report(), delayMs);
    this.reportTimer.unref();
  }

  private report(): void {
    this.lastReportAt = Date.now();
    this.schedule();
    // A slow server must not pile up reports: the counts wait in `usage` for the next period.
    if (this.reporting) return;
    // The report carries the version: an acknowledgement due soon goes out with it.
    clearTimeout(this.acknowledgeTimer);
    this.acknowledgeTimer = undefined;
    this.reporting = true;
    void this.track(this.sendUsage(REQUEST_TIMEOUT_MS).finally(() => (this.reporting = false)));
  }

  private identity(): { instanceId: string; sdk: string; version: number; epoch?: string } {
    const epoch = this.options.epoch();
    return {
      instanceId: this.options.instanceId,
      sdk: SDK_NAME,
      version: this.options.version() ?? 0,
      ...(epoch === undefined ? {} : { epoch }),
    };
  }

  private async track(sending: Promise<unknown>): Promise<void> {
    this.inFlight.add(sending);
    try {
      await sending;
    } finally {
      this.inFlight.delete(sending);
    }
  }

  private async sendUsage(timeoutMs: number): Promise<void> {
    const period: UsagePeriod = this.usage.take(Date.now());
    // A sample, not counts: a report that fails loses its contexts, and the next period has its own.
    const contexts = this.options.sample?.take() ?? [];
    for (const [index, part] of splitPeriod(period).entries()) {
      const sampled = index === 0 && contexts.length > 0 && !this.contextsRefused;
      let delivery = await this.post({ ...this.identity(), ...part, ...(sampled ? { contexts } : {}) }, timeoutMs);
      if (delivery === "refused" && sampled) {
        // A server older than the `contexts` field refuses the whole report: the counts matter
        // more (deploys judge cohorts on them), so they go again without it, and so do later ones.
        this.contextsRefused = true;
        this.options.logger.warn("Switchyard: the server does not accept context samples (an older server?); sending counts without them");
        delivery = await this.post({ ...this.identity(), ...part }, timeoutMs);
      }
      if (delivery === "retry" && !this.controller.signal.aborted) this.usage.restore(part);
    }
  }

  private async post(body: object, timeoutMs: number): Promise<Delivery> {
    try {
      const response = await this.options.fetch(this.options.url, {
        method: "POST",
        headers: {
          Authorization: authorization(this.options.token),
          "Content-Type": "application/json",
          "User-Agent": SDK_NAME,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(timeoutMs)]),
      });
      if (response.ok) {
        // The counts were accepted whatever happens to the body: an unreadable one changes nothing.
        const text = await response.text().catch(() => undefined);
        if (text !== undefined && !this.streamOwnsHint) this.setReportAfter(parseReportAfterMs(text));
        this.failing = false;
        return "sent";
      }
      const detail = await readErrorDetail(response);
      if (isAuthStatus(response.status)) {
        this.options.onAuthFailure(response.status, detail);
        return "dropped";
      }
      // A 400 will not get better by resending the same counts; a 5xx may.
      const delivery: Delivery =
        response.status >= 500 || response.status === 429 ? "retry" : response.status === 400 ? "refused" : "dropped";
      this.warnOnce(`Switchyard metrics report failed (HTTP ${response.status}: ${detail})`);
      return delivery;
    } catch (error) {
      if (this.controller.signal.aborted) return "dropped";
      this.warnOnce(`Switchyard metrics report failed (${describeError(error)}); the counts go out with the next one`);
      return "retry";
    }
  }

  private warnOnce(message: string): void {
    if (this.failing) return;
    this.failing = true;
    this.options.logger.warn(message);
  }
}
