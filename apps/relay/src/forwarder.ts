import type { EvaluationContext } from "@switchyard/core";
import type { Logger } from "pino";
import type { MetricsHint } from "../../server/src/live/metrics-hint";
import type { SdkMetricsReport } from "../../server/src/routes/sdk";
import { withSlash } from "./upstream";

export interface ForwardedReport {
  environment: string;
  source: "server" | "browser";
  report: SdkMetricsReport;
}

/** What `POST /api/relay/reports` takes at most per batch (apps/server/src/routes/relay.ts). */
const MAX_REPORTS = 1_000;
/** Under the server's 1 MB body limit, with room for presence and contexts. */
const MAX_REPORT_BYTES = 768 * 1024;
const MAX_CONTEXT_BYTES = 128 * 1024;
const MAX_CONTEXTS = 1_000;
const MAX_INSTANCE_IDS = 10_000;
/** Presence unchanged is still sent this often: the server counts a stream connected for 45 s. */
const PRESENCE_REFRESH_MS = 10_000;

export interface ForwarderOptions {
  serverUrl: string;
  token: string;
  relayId: string;
  intervalMs: number;
  logger: Logger;
  /** The server SDK instances with an open stream here, per environment served. */
  streams(): Array<{ environment: string; instanceIds: string[] }>;
  /** The server's answer says which environments a deploy observes. */
  onHints(hints: Record<string, MetricsHint>): void;
  /** Reports kept while the server cannot be reached; the oldest go first beyond it. */
  maxQueued?: number;
}

/**
 * Sends what downstream SDKs and browsers report to the server once a second, batched: their
 * metrics reports as they came (so a served version acknowledges a flag-off as a direct report
 * does), which instances hold a stream here, and a sample of evaluated contexts for previews.
 */
export class Forwarder {
  private queue: ForwardedReport[] = [];
  private readonly contexts = new Map<string, { environment: string; context: EvaluationContext; count: number }>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private lastPresence = "";
  private presenceSentAt = 0;
  /** Reports dropped because the queue was full while the server was unreachable. */
  dropped = 0;

  constructor(private readonly options: ForwarderOptions) {}

  enqueue(report: ForwardedReport): void {
    this.queue.push(report);
    const max = this.options.maxQueued ?? 10_000;
    if (this.queue.length > max) {
      this.dropped += this.queue.length - max;
      this.queue.splice(0, this.queue.length - max);
    }
  }

  /** A context evaluated here (client evaluate, client streams, OFREP), for the server's sample. */
  offerContext(environment: string, context: EvaluationContext, count = 1): void {
    const key = `${environment}\u0001${JSON.stringify(context)}`;
    const known = this.contexts.get(key);
    if (known !== undefined) known.count += count;
    else if (this.contexts.size < MAX_CONTEXTS) this.contexts.set(key, { environment, context, count });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and sends what is queued, once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  flush(): Promise<void> {
    this.sending ??= this.send().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async send(): Promise<void> {
    const { logger } = this.options;
    const streams = this.options
      .streams()
      .map((s) => ({ environment: s.environment, instanceIds: s.instanceIds.slice(0, MAX_INSTANCE_IDS) }));
    const presence = JSON.stringify(streams);
    const presenceDue = presence !== this.lastPresence || Date.now() - this.presenceSentAt >= PRESENCE_REFRESH_MS;
    if (this.queue.length === 0 && this.contexts.size === 0 && !presenceDue) return;
    const reports = this.queue.splice(0, batchSize(this.queue, MAX_REPORTS, MAX_REPORT_BYTES));
    const sampled = [...this.contexts.values()];
    const contexts = sampled.slice(0, batchSize(sampled, MAX_CONTEXTS, MAX_CONTEXT_BYTES));
    this.contexts.clear();
    try {
      const answer = await this.post({ relayId: this.options.relayId, reports, streams, contexts: [] });
      if (answer === "refused") return;
      this.lastPresence = presence;
      this.presenceSentAt = Date.now();
      const hints = typeof answer === "object" && answer !== null ? Reflect.get(answer, "hints") : undefined;
      if (typeof hints === "object" && hints !== null) this.options.onHints(hints as Record<string, MetricsHint>);
      // More waiting than one batch takes: send the next at once.
      if (this.queue.length > 0) setImmediate(() => void this.flush());
    } catch (error) {
      // Kept for the next attempt (the queue stays bounded).
      this.queue.unshift(...reports);
      logger.warn({ err: error instanceof Error ? error.message : String(error), queued: this.queue.length }, "reports not forwarded yet");
      return;
    }
    // Apart from the reports: a sample the server refused must never cost an acknowledgement.
    // Contexts are only a sample, so a failed send is not retried.
    if (contexts.length > 0) {
      await this.post({ relayId: this.options.relayId, reports: [], streams: [], contexts }).catch((error: unknown) =>
        logger.debug({ err: error instanceof Error ? error.message : String(error) }, "context sample not forwarded"),
      );
    }
  }

  /** One POST; throws to retry later (network, 5xx, 429), answers "refused" for a batch that would be refused again. */
  private async post(body: object): Promise<unknown> {
    const response = await fetch(new URL("api/relay/reports", withSlash(this.options.serverUrl)), {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel();
      throw new Error(`the server answered ${response.status}`);
    }
    if (!response.ok) {
      this.options.logger.error({ status: response.status, body: (await response.text()).slice(0, 500) }, "forwarded batch refused");
      return "refused";
    }
    return response.json().catch(() => undefined);
  }
}

/** How many of the first `items` fit in one batch: at most `maxCount`, and `maxBytes` of JSON (at least one). */
function batchSize(items: readonly unknown[], maxCount: number, maxBytes: number): number {
  let bytes = 0;
  let count = 0;
  for (const item of items) {
    if (count >= maxCount) break;
    bytes += JSON.stringify(item).length + 1;
    if (bytes > maxBytes && count > 0) break;
    count += 1;
  }
  return count;
}
