import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { FlagMetadata, SegmentRule, StoredFlagConfig, Variation } from "@switchyard/core";
import { CountSources, type CountSource } from "./count-sources";

export { CountSources, type CountSource };

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const environments = pgTable("environments", {
  key: text("key").primaryKey(),
  name: text("name").notNull(),
  /** Where deploy decisions of this environment are POSTed (optional). */
  webhookUrl: text("webhook_url"),
  /** HMAC-SHA256 key for the X-Switchyard-Signature header; write-only through the API. */
  webhookSecret: text("webhook_secret"),
  /** Keep a rolling sample of the contexts evaluated here, for previews (on by default). */
  seenContextsEnabled: boolean("seen_contexts_enabled").notNull().default(true),
  /** A write flipping more than this share (0–1) of seen evaluations needs `"confirm": true`; null: never. */
  confirmFlipShare: doublePrecision("confirm_flip_share"),
  /** A production environment refuses rollback rehearsals unless one is explicitly allowed. */
  production: boolean("production").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const flags = pgTable("flags", {
  key: text("key").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  kind: text("kind").notNull(),
  /** Each with an id that never changes; configs refer to variations by it. */
  variations: jsonb("variations").$type<Variation[]>().notNull(),
  /** Descriptive key/values, served as OpenFeature flag metadata. */
  metadata: jsonb("metadata").$type<FlagMetadata>().notNull().default({}),
  tags: jsonb("tags").$type<string[]>().notNull().default([]),
  owner: text("owner"),
  /** Overrides the kind's expected lifetime; null means "use the kind's". */
  expectedLifetimeDays: integer("expected_lifetime_days"),
  /** Marked by an admin as meant to stay: never reported as past its expected lifetime. */
  permanent: boolean("permanent").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  archivedAt: timestamp("archived_at", { withTimezone: true, mode: "date" }),
});

export const flagConfigs = pgTable(
  "flag_configs",
  {
    flagKey: text("flag_key")
      .notNull()
      .references(() => flags.key, { onDelete: "cascade" }),
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    config: jsonb("config").$type<StoredFlagConfig>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.flagKey, t.environmentKey] }), index("flag_configs_env_idx").on(t.environmentKey)],
);

export const flagConfigVersions = pgTable(
  "flag_config_versions",
  {
    flagKey: text("flag_key")
      .notNull()
      .references(() => flags.key, { onDelete: "cascade" }),
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    config: jsonb("config").$type<StoredFlagConfig>().notNull(),
    actorTokenId: text("actor_token_id"),
    actorName: text("actor_name"),
    comment: text("comment"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.flagKey, t.environmentKey, t.version] })],
);

export const segments = pgTable("segments", {
  key: text("key").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  included: jsonb("included").$type<string[]>().notNull().default([]),
  excluded: jsonb("excluded").$type<string[]>().notNull().default([]),
  rules: jsonb("rules").$type<SegmentRule[]>().notNull().default([]),
  version: integer("version").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const apiTokens = pgTable("api_tokens", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  environmentKey: text("environment_key").references(() => environments.key, { onDelete: "cascade" }),
  /**
   * A relay token's environments (null for every other kind). An array cannot cascade: a deleted
   * environment stays listed, and the relay routes refuse an environment that does not exist.
   */
  environmentKeys: text("environment_keys").array(),
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  tokenHash: text("token_hash").notNull().unique(),
  /** The last characters of the secret, so a user can tell their tokens apart. */
  hint: text("hint").notNull(),
  createdAt: createdAt(),
  createdBy: text("created_by"),
});

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    actorTokenId: text("actor_token_id"),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceKey: text("resource_key").notNull(),
    flagKey: text("flag_key"),
    environmentKey: text("environment_key"),
    before: jsonb("before"),
    after: jsonb("after"),
    comment: text("comment"),
    deployId: text("deploy_id"),
  },
  (t) => [index("audit_log_flag_idx").on(t.flagKey, t.id), index("audit_log_env_idx").on(t.environmentKey, t.id)],
);

/**
 * Every change is a numbered row. `seq` is what replicas catch up on (and later the SSE event
 * id); `environment_key` is null when the change concerns every environment (segments, a flag's
 * own fields).
 */
export const changeLog = pgTable(
  "change_log",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    environmentKey: text("environment_key"),
    entity: text("entity").notNull(),
    key: text("key").notNull(),
    deleted: boolean("deleted").notNull().default(false),
  },
  (t) => [index("change_log_env_idx").on(t.environmentKey, t.seq)],
);

/** SDK instances per environment: the config version each serves, and whether its stream is open. */
export const sdkInstances = pgTable(
  "sdk_instances",
  {
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    instanceId: text("instance_id").notNull(),
    sdk: text("sdk"),
    /** The change seq of the config the instance reported serving (its acknowledgement). */
    ackedVersion: bigint("acked_version", { mode: "number" }),
    ackedAt: timestamp("acked_at", { withTimezone: true, mode: "date" }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** The instance's own last metrics report (stream heartbeats move `last_seen_at`, not this). */
    lastReportAt: timestamp("last_report_at", { withTimezone: true, mode: "date" }),
    /** Refreshed by the replica holding the instance's stream every heartbeat; null once it closed. */
    streamSeenAt: timestamp("stream_seen_at", { withTimezone: true, mode: "date" }),
    /** The relay the instance last reported or streamed through; null: connected to the server directly. */
    relayId: text("relay_id"),
  },
  (t) => [primaryKey({ columns: [t.environmentKey, t.instanceId] })],
);

/** Evaluation counts reported by SDKs, per flag, variation and hour. */
export const evaluationCounts = pgTable(
  "evaluation_counts",
  {
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    flagKey: text("flag_key")
      .notNull()
      .references(() => flags.key, { onDelete: "cascade" }),
    variation: integer("variation").notNull(),
    hour: timestamp("hour", { withTimezone: true, mode: "date" }).notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentKey, t.flagKey, t.variation, t.hour] })],
);

/**
 * Custom events from SDK `track()`, per minute and source, attributed to the flag variation the
 * context had received (`flag_key` '' and `variation` -1 when unattributed).
 */
export const eventCounts = pgTable(
  "event_counts",
  {
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    source: text("source").$type<CountSource>().notNull().default(CountSources.server),
    event: text("event").notNull(),
    flagKey: text("flag_key").notNull().default(""),
    variation: integer("variation").notNull().default(-1),
    minute: timestamp("minute", { withTimezone: true, mode: "date" }).notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentKey, t.source, t.event, t.flagKey, t.variation, t.minute] })],
);

/**
 * One row per repository and branch that `switchyard scan` uploaded code references for; an
 * upload replaces that branch's references. Stale-flag reasons from code (NOT_IN_CODE,
 * ARCHIVED_BUT_IN_CODE) are only claimed once at least one upload exists.
 */
export const codeRefUploads = pgTable(
  "code_ref_uploads",
  {
    repository: text("repository").notNull(),
    branch: text("branch").notNull(),
    uploadedAt: timestamp("uploaded_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    uploadedBy: text("uploaded_by"),
    refCount: integer("ref_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.repository, t.branch] })],
);

/**
 * Where a flag key appears in code: path and line, and the matched line itself (trimmed and
 * truncated by the scanner) — never more source. `flag_key` is not a foreign key: code may name a
 * flag that does not exist (yet, or by a typo), and that is worth showing.
 */
export const codeRefs = pgTable(
  "code_refs",
  {
    repository: text("repository").notNull(),
    branch: text("branch").notNull(),
    flagKey: text("flag_key").notNull(),
    path: text("path").notNull(),
    line: integer("line").notNull(),
    text: text("text"),
  },
  (t) => [
    primaryKey({ columns: [t.repository, t.branch, t.flagKey, t.path, t.line] }),
    foreignKey({ columns: [t.repository, t.branch], foreignColumns: [codeRefUploads.repository, codeRefUploads.branch] }).onDelete(
      "cascade",
    ),
    index("code_refs_flag_idx").on(t.flagKey),
  ],
);

/**
 * A bounded, rolling sample of the contexts evaluated in each environment, for previews: the
 * context `key` and only the attributes the environment's targeting reads (see `attributesUsed`
 * in the core). `weight` is how many evaluations the context stood for; `priority_seed` is a
 * uniform random number in (0, 1) drawn once per context, so eviction can keep a weighted
 * reservoir (Efraimidis–Spirakis: the rows with the largest ln(seed) / weight survive).
 */
export const seenContexts = pgTable(
  "seen_contexts",
  {
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    contextKey: text("context_key").notNull(),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull(),
    weight: bigint("weight", { mode: "number" }).notNull(),
    prioritySeed: doublePrecision("priority_seed").notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentKey, t.contextKey] }), index("seen_contexts_seen_idx").on(t.lastSeenAt)],
);
