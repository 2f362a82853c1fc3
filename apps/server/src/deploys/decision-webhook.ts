import { createHmac, randomUUID } from "node:crypto";
import type { Db } from "../store/database";
import { WebhookDeliveryStatuses } from "../store/deploy-schema";
import type { DeployRow } from "../store/deploys";
import { getEnvironment } from "../store/environments";
import { insertDelivery, listDeliveries } from "../store/webhook-deliveries";
import type { DeployDecision } from "./types";

export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000, 16_000, 60_000];
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const PROBLEM_MAX = 500;

/** `sha256=<hex>` of the exact body bytes; receivers recompute it with the shared secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function decisionPayload(deploy: DeployRow, decision: DeployDecision): Record<string, unknown> {
  return {
    event: "deploy.decision",
    deploy: {
      id: deploy.id,
      service: deploy.service,
      version: deploy.version,
      environment: deploy.environmentKey,
      commit: deploy.commit,
      flags: deploy.flags.map((flag) => flag.key),
    },
    status: decision.status,
    final: decision.final,
    decidedAt: decision.decidedAt,
    summary: decision.evidence.summary,
    decision,
  };
}

/** The wait after `attempts` failed attempts, or null once every retry is spent. */
export function retryDelayMs(attempts: number, delaysMs: readonly number[]): number | null {
  return delaysMs[attempts - 1] ?? null;
}

/**
 * Queues the decision for the environment's webhook, if it has one. Called in the transaction
 * that stores the decision, so a stored decision always has its delivery; returns its id.
 */
export async function queueDecisionWebhook(tx: Db, deploy: DeployRow, decision: DeployDecision, now: Date): Promise<string | null> {
  const environment = await getEnvironment(tx, deploy.environmentKey);
  if (!environment?.webhookUrl) return null;
  const id = randomUUID();
  await insertDelivery(tx, {
    id,
    deployId: deploy.id,
    environmentKey: deploy.environmentKey,
    url: environment.webhookUrl,
    payload: decisionPayload(deploy, decision),
    nextAttemptAt: now,
    createdAt: now,
  });
  return id;
}

export interface WebhookDeliveryView {
  id: string;
  status: string;
  attempts: number;
  lastError: string | null;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

export async function webhookDeliveryViews(db: Db, deployId: string): Promise<WebhookDeliveryView[]> {
  return (await listDeliveries(db, deployId)).map((row) => ({
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.status === WebhookDeliveryStatuses.pending ? row.nextAttemptAt.toISOString() : null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  }));
}

export interface WebhookRequest {
  /** The delivery id, the same on every attempt: receivers dedupe by it. */
  id: string;
  url: string;
  body: string;
  secret: string | null;
}

export type SendOutcome = { ok: true } | { ok: false; problem: string };

export function webhookHeaders(request: WebhookRequest): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "switchyard-webhooks",
    "x-switchyard-event": "deploy.decision",
    "x-switchyard-delivery": request.id,
    ...(request.secret === null ? {} : { "x-switchyard-signature": signature(request.secret, request.body) }),
  };
}

/**
 * One attempt; never throws. Only a 2xx counts: a redirect is not followed (a receiver that moved
 * gets its URL changed, and a redirect loop costs one answer), the answer's body is never read
 * (a huge or endless one costs nothing), and the whole exchange is cut at `timeoutMs`.
 */
export async function sendWebhook(
  request: WebhookRequest,
  options: { timeoutMs: number; signal?: AbortSignal; fetch?: typeof fetch },
): Promise<SendOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const res = await (options.fetch ?? fetch)(request.url, {
      method: "POST",
      headers: webhookHeaders(request),
      body: request.body,
      redirect: "manual",
      signal,
    });
    await res.body?.cancel().catch(() => undefined);
    return res.ok ? { ok: true } : { ok: false, problem: `answered ${res.status}` };
  } catch (error) {
    return { ok: false, problem: timeout.aborted ? `no answer within ${options.timeoutMs} ms` : describe(error) };
  }
}

/** fetch hides the reason (refused, DNS, TLS) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, PROBLEM_MAX);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`.slice(0, PROBLEM_MAX);
}
