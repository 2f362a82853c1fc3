import { createHmac, randomUUID } from "node:crypto";
import type { Logger } from "pino";

export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000, 16_000, 60_000];
const ATTEMPT_TIMEOUT_MS = 5_000;

export interface WebhookTarget {
  url: string;
  secret: string | null;
}

/** `sha256=<hex>` of the exact body bytes; receivers recompute it with the shared secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * POSTs one decision to the environment's webhook: JSON, signed with an HMAC header when a secret
 * is set, retried with growing delays on a network error or a non-2xx answer. Deliveries live in
 * memory: a delivery pending when the process stops is not retried by another replica.
 */
export async function deliverWebhook(
  target: WebhookTarget,
  payload: unknown,
  options: { logger: Logger; retryDelaysMs?: readonly number[]; fetch?: typeof fetch },
): Promise<boolean> {
  const body = JSON.stringify(payload);
  const delivery = randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "switchyard-webhooks",
    "x-switchyard-event": "deploy.decision",
    "x-switchyard-delivery": delivery,
    ...(target.secret === null ? {} : { "x-switchyard-signature": signature(target.secret, body) }),
  };
  const delays = options.retryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS;
  const send = options.fetch ?? fetch;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      const res = await send(target.url, { method: "POST", headers, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
      await res.body?.cancel();
      if (res.ok) return true;
      problem = `answered ${res.status}`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    const delay = delays[attempt];
    if (delay === undefined) {
      options.logger.warn({ delivery, url: target.url, attempts: attempt + 1, problem }, "webhook delivery failed; giving up");
      return false;
    }
    options.logger.info({ delivery, url: target.url, attempt: attempt + 1, problem, retryInMs: delay }, "webhook delivery failed; retrying");
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
  }
}
