import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { StoredFlagConfig } from "@switchyard/core";
import type { DeployDecision, Guard, GuardedFlag, PrometheusProgress } from "../deploys/types";
import { CountSources, environments, type CountSource } from "./schema";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A flag the deploy turned off: the config version written and the change seq SDKs acknowledge. */
export interface StoredFlagOff {
  flag: string;
  disabledAt: string;
  configVersion: number;
  seq: number;
}

/**
 * Running totals of `event_counts` already copied into `deploy_counts`, per minute bucket still
 * open at the last capture (older buckets no longer change). Keys: `minuteMs|event|flag|variation`, with
 * `|browser` appended for browser counts.
 */
export interface CountCursor {
  capturedAt: string;
  totals: Record<string, number>;
}

export type FlagSnapshot = Record<string, { version: number; config: StoredFlagConfig }>;

export const deploys = pgTable(
  "deploys",
  {
    id: text("id").primaryKey(),
    service: text("service").notNull(),
    version: text("version").notNull(),
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    commit: text("commit"),
    flags: jsonb("flags").$type<GuardedFlag[]>().notNull(),
    guard: jsonb("guard").$type<Guard>().notNull(),
    status: text("status").notNull(),
    final: boolean("final").notNull().default(false),
    snapshot: jsonb("snapshot").$type<FlagSnapshot>().notNull(),
    decision: jsonb("decision").$type<DeployDecision>(),
    flagsOff: jsonb("flags_off").$type<StoredFlagOff[]>().notNull().default([]),
    countCursor: jsonb("count_cursor").$type<CountCursor>().notNull(),
    /** How far the Prometheus source has sampled (null: no check names a query, or none asked yet). */
    prometheus: jsonb("prometheus").$type<PrometheusProgress>(),
    createdBy: text("created_by").notNull(),
    createdAt: at("created_at").notNull(),
    decidedAt: at("decided_at"),
    /** The worker holding the deploy, until `lease_expires_at`; another replica takes over after it. */
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: at("lease_expires_at"),
    /** Set when the deploy is a rollback rehearsal's: its flag-off is practice, and no webhook is sent. */
    rehearsalId: text("rehearsal_id"),
  },
  (t) => [
    index("deploys_open_idx").on(t.final, t.leaseExpiresAt),
    index("deploys_service_idx").on(t.service, t.environmentKey, t.createdAt),
  ],
);

export const deploySignals = pgTable(
  "deploy_signals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deployId: text("deploy_id")
      .notNull()
      .references(() => deploys.id, { onDelete: "cascade" }),
    signal: text("signal").notNull(),
    value: doublePrecision("value").notNull(),
    at: at("at").notNull(),
    flag: text("flag"),
    variation: integer("variation"),
  },
  (t) => [index("deploy_signals_deploy_idx").on(t.deployId, t.at)],
);

/** SDK `track()` counts copied from `event_counts` by the worker, timed to within one tick, with their source. */
export const deployCounts = pgTable(
  "deploy_counts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deployId: text("deploy_id")
      .notNull()
      .references(() => deploys.id, { onDelete: "cascade" }),
    source: text("source").$type<CountSource>().notNull().default(CountSources.server),
    event: text("event").notNull(),
    flag: text("flag"),
    variation: integer("variation"),
    count: bigint("count", { mode: "number" }).notNull(),
    at: at("at").notNull(),
  },
  (t) => [index("deploy_counts_deploy_idx").on(t.deployId, t.at)],
);

/** When each SDK instance was first seen serving a flag-off (a version ≥ its change seq). */
export const deployAcks = pgTable(
  "deploy_acks",
  {
    deployId: text("deploy_id")
      .notNull()
      .references(() => deploys.id, { onDelete: "cascade" }),
    flag: text("flag").notNull(),
    instanceId: text("instance_id").notNull(),
    acknowledgedAt: at("acknowledged_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deployId, t.flag, t.instanceId] })],
);

export const WebhookDeliveryStatuses = { pending: "pending", delivered: "delivered", failed: "failed" } as const;
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatuses)[keyof typeof WebhookDeliveryStatuses];

/**
 * One decision to POST to the environment's webhook, queued in the transaction that stores the
 * decision; `id` is the `X-Switchyard-Delivery` header, the same on every attempt. A claim bumps
 * `attempts` and moves `next_attempt_at` a lease ahead, so a replica that dies mid-send leaves the
 * delivery due again later, and `attempts` fences the outcome write of a replica that lost it.
 * The secret is never stored: it is read from the environment at send time.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    deployId: text("deploy_id")
      .notNull()
      .references(() => deploys.id, { onDelete: "cascade" }),
    environmentKey: text("environment_key").notNull(),
    url: text("url").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: at("next_attempt_at").notNull(),
    status: text("status").$type<WebhookDeliveryStatus>().notNull().default(WebhookDeliveryStatuses.pending),
    lastError: text("last_error"),
    createdAt: at("created_at").notNull(),
    deliveredAt: at("delivered_at"),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_deploy_idx").on(t.deployId, t.createdAt),
  ],
);
