import { authorization, isAuthStatus, readErrorDetail, REQUEST_TIMEOUT_MS } from "./endpoints";
import { describeError } from "./errors";
import type { FetchFunction, Logger } from "./options";
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
  version(): number | undefined;
  onAuthFailure(status: number, detail: string): void;
}

/** The version acknowledgement goes out this long after a change (changes within it share one). */
export const ACKNOWLEDGE_DELAY_MS = 1_000;
/** How long `close()` waits for the final report. */
export const CLOSE_REPORT_TIMEOUT_MS = 3_000;

type Delivery = "sent" | "dropped" | "retry";

/**
 * Sends `POST /api/sdk/metrics`: the period's counts every `intervalMs` and on close, and the
 * bare `{ instanceId, sdk, version }` about a second after each applied change, so the server
 * learns quickly which instances serve which version (deploy propagation waits for it).
 */
export class MetricsReporter {
  readonly usage = new UsageMetrics(Date.now());
  private intervalTimer: NodeJS.Timeout | undefined;
  private acknowledgeTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private stopped = false;
  private failing = false;

  constructor(private readonly options: MetricsReporterOptions) {}

  start(): void {
    if (!this.options.sendUsage || this.stopped) return;
    this.intervalTimer = setInterval(() => void this.track(this.sendUsage(REQUEST_TIMEOUT_MS)), this.options.intervalMs);
    this.intervalTimer.unref();
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
    clearInterval(this.intervalTimer);
    clearTimeout(this.acknowledgeTimer);
    this.controller.abort();
  }

  /** Stops the timers, waits for reports in flight, then sends the last period (or the pending acknowledgement). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.intervalTimer);
    const acknowledgementPending = this.acknowledgeTimer !== undefined;
    clearTimeout(this.acknowledgeTimer);
    await Promise.allSettled([...this.inFlight]);
    if (this.options.sendUsage) await this.sendUsage(CLOSE_REPORT_TIMEOUT_MS);
    else if (acknowledgementPending) await this.post(this.identity(), CLOSE_REPORT_TIMEOUT_MS);
  }

  private identity(): { instanceId: string; sdk: string; version: number } {
    return { instanceId: this.options.instanceId, sdk: SDK_NAME, version: this.options.version() ?? 0 };
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
    for (const part of splitPeriod(period)) {
      const delivery = await this.post({ ...this.identity(), ...part }, timeoutMs);
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
        await response.body?.cancel();
        this.failing = false;
        return "sent";
      }
      const detail = await readErrorDetail(response);
      if (isAuthStatus(response.status)) {
        this.options.onAuthFailure(response.status, detail);
        return "dropped";
      }
      // A 400 will not get better by resending the same counts; a 5xx may.
      const delivery: Delivery = response.status >= 500 || response.status === 429 ? "retry" : "dropped";
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
