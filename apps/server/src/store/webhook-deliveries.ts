import { and, asc, eq, inArray, lt, lte, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "./database";
import { webhookDeliveries, WebhookDeliveryStatuses, type WebhookDeliveryStatus } from "./deploy-schema";

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDelivery = typeof webhookDeliveries.$inferInsert;

export async function insertDelivery(db: Db, delivery: NewWebhookDelivery): Promise<void> {
  await db.insert(webhookDeliveries).values(delivery);
}

export function listDeliveries(db: Db, deployId: string): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deployId, deployId))
    .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id));
}

/**
 * Takes up to `limit` due deliveries in one statement, as `claimDeploys` does: `FOR UPDATE SKIP
 * LOCKED` keeps two replicas claiming at once from taking the same row, and moving
 * `next_attempt_at` a lease ahead keeps them apart while the attempt is in flight. A deploy's
 * deliveries go out in the order they were decided: one waits while an older one is pending.
 */
export async function claimDeliveries(db: Db, now: Date, leaseMs: number, limit: number): Promise<WebhookDeliveryRow[]> {
  const older = alias(webhookDeliveries, "older");
  const olderPending = db
    .select({ id: older.id })
    .from(older)
    .where(
      and(
        eq(older.deployId, webhookDeliveries.deployId),
        eq(older.status, WebhookDeliveryStatuses.pending),
        lt(older.createdAt, webhookDeliveries.createdAt),
      ),
    );
  const due = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, WebhookDeliveryStatuses.pending),
        lte(webhookDeliveries.nextAttemptAt, now),
        notExists(olderPending),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(webhookDeliveries)
    .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + leaseMs) })
    .where(inArray(webhookDeliveries.id, due))
    .returning();
}

export interface DeliveryOutcome {
  status: WebhookDeliveryStatus;
  nextAttemptAt?: Date;
  /** Left as it was when absent: a delivered row keeps the problem of the attempt before. */
  lastError?: string;
  deliveredAt?: Date;
}

/**
 * Records how the claimed attempt ended, only if no other replica claimed the delivery since
 * (its claim bumped `attempts`); false when the write was fenced off.
 */
export async function settleDelivery(db: Db, id: string, claimedAttempts: number, outcome: DeliveryOutcome): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set(outcome)
    .where(
      and(
        eq(webhookDeliveries.id, id),
        eq(webhookDeliveries.attempts, claimedAttempts),
        eq(webhookDeliveries.status, WebhookDeliveryStatuses.pending),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}
