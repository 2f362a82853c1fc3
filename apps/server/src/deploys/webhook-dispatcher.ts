import type { Logger } from "pino";
import type { Db } from "../store/database";
import { PassLoop } from "../services/pass-loop";
import { WebhookDeliveryStatuses } from "../store/deploy-schema";
import { getEnvironment } from "../store/environments";
import { claimDeliveries, settleDelivery, type DeliveryOutcome, type WebhookDeliveryRow } from "../store/webhook-deliveries";
import { redactedUrl } from "./redacted-url";
import { DEFAULT_WEBHOOK_RETRY_DELAYS_MS, DEFAULT_WEBHOOK_TIMEOUT_MS, retryDelayMs, sendWebhook } from "./decision-webhook";

export interface WebhookDispatcherOptions {
  /** How often due deliveries are picked up (default 1 s). */
  pollMs?: number;
  /** Delays between attempts (default 1 s, 4 s, 16 s, 60 s); after the last one the delivery fails. */
  retryDelaysMs?: readonly number[];
  /** How long one attempt may take (default 10 s). */
  timeoutMs?: number;
  /** How long a claimed delivery is left to this replica before another sends it again (default 30 s; more than `timeoutMs`). */
  leaseMs?: number;
  /** Attempts in flight at once on this replica (default 20). */
  maxInFlight?: number;
  now?: () => Date;
  fetch?: typeof fetch;
}

/**
 * Sends the queued deploy decisions (`webhook_deliveries`) to their webhooks. Postgres is the
 * source of truth: any replica may send any due delivery, one that stops or dies leaves its
 * deliveries due again, and receivers see the same delivery id on every attempt. Sends run beside
 * the poll, not in it, so a receiver that never answers holds one slot for `timeoutMs`, no more.
 */
export class WebhookDispatcher {
  private readonly loop: PassLoop;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = new AbortController();
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => Date;
  private readonly fetch: typeof fetch | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    options: WebhookDispatcherOptions = {},
  ) {
    this.loop = new PassLoop(
      () => this.poll(),
      options.pollMs ?? 1_000,
      (error) => this.logger.error({ err: error }, "could not claim webhook deliveries"),
    );
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.leaseMs = Math.max(options.leaseMs ?? 30_000, this.timeoutMs + 5_000);
    this.maxInFlight = options.maxInFlight ?? 20;
    this.now = options.now ?? (() => new Date());
    this.fetch = options.fetch;
  }

  start(): void {
    if (this.loop.active) return;
    this.stopping = new AbortController();
    this.loop.start();
  }

  /**
   * Cuts the attempts in flight and makes their deliveries due at once (for the next replica or
   * the next start: the receiver may have got one, so it dedupes by the delivery id), so the
   * database can close after it.
   */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.stopping.abort();
    await this.settled();
  }

  /** Waits for the attempts in flight (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Claims due deliveries for the free slots and starts sending them; returns how many it started. */
  async poll(): Promise<number> {
    const free = this.maxInFlight - this.inFlight.size;
    if (free <= 0) return 0;
    const claimed = await claimDeliveries(this.db, this.now(), this.leaseMs, free);
    for (const delivery of claimed) {
      const attempt: Promise<void> = this.attempt(delivery)
        .catch((error: unknown) =>
          this.logger.error(
            { err: error, deployId: delivery.deployId, delivery: delivery.id },
            "could not record a webhook attempt; it goes out again after its lease",
          ),
        )
        .finally(() => this.inFlight.delete(attempt));
      this.inFlight.add(attempt);
    }
    return claimed.length;
  }

  private async attempt(delivery: WebhookDeliveryRow): Promise<void> {
    const log = { deployId: delivery.deployId, delivery: delivery.id, url: redactedUrl(delivery.url), attempt: delivery.attempts };
    // The secret is read now, never stored with the delivery: a rotated secret signs the retries.
    const environment = await getEnvironment(this.db, delivery.environmentKey);
    if (environment?.webhookUrl !== delivery.url) {
      // Removed or pointed elsewhere since the decision: the old receiver is no longer trusted with it.
      this.logger.warn(log, "webhook changed before the decision was delivered; not sent");
      return this.settle(delivery, {
        status: WebhookDeliveryStatuses.failed,
        lastError: "the environment's webhook URL changed before it was sent",
      });
    }
    const body = JSON.stringify(delivery.payload);
    const sent = await sendWebhook(
      { id: delivery.id, url: delivery.url, body, secret: environment.webhookSecret },
      { timeoutMs: this.timeoutMs, signal: this.stopping.signal, ...(this.fetch ? { fetch: this.fetch } : {}) },
    );
    const now = this.now();
    if (sent.ok) return this.settle(delivery, { status: WebhookDeliveryStatuses.delivered, deliveredAt: now });
    if (this.stopping.signal.aborted)
      return this.settle(delivery, {
        status: WebhookDeliveryStatuses.pending,
        lastError: "interrupted: the server stopped",
        nextAttemptAt: now,
      });
    const delay = retryDelayMs(delivery.attempts, this.retryDelaysMs);
    if (delay === null) {
      this.logger.warn({ ...log, problem: sent.problem }, "webhook delivery failed; giving up");
      return this.settle(delivery, { status: WebhookDeliveryStatuses.failed, lastError: sent.problem });
    }
    this.logger.warn({ ...log, problem: sent.problem, retryInMs: delay }, "webhook delivery failed; retrying");
    return this.settle(delivery, {
      status: WebhookDeliveryStatuses.pending,
      lastError: sent.problem,
      nextAttemptAt: new Date(now.getTime() + delay),
    });
  }

  private async settle(delivery: WebhookDeliveryRow, outcome: DeliveryOutcome): Promise<void> {
    if (!(await settleDelivery(this.db, delivery.id, delivery.attempts, outcome))) {
      this.logger.warn(
        { deployId: delivery.deployId, delivery: delivery.id },
        "webhook delivery changed during the attempt (claimed again after its lease, or its deploy deleted); this outcome is dropped",
      );
    }
  }
}
