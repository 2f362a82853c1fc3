import {
  Operators,
  type Condition,
  type FlagMetadata,
  type StoredFlagConfig,
  type StoredPrerequisite,
  type StoredRule,
  type Variation,
} from "@switchyard/core";

/*
 * Configs as the admin API shows them: variations by id (a rollout lists the id of each
 * weight's variation, in bucket order; a prerequisite the id of the other flag's variation).
 */
export type {
  Condition,
  FlagMetadata,
  Operator,
  StoredPrerequisite as Prerequisite,
  StoredRollout as Rollout,
  StoredServe as Serve,
  Variation,
  VariationValue,
} from "@switchyard/core";

/** The API's shapes as the console reads them (the server's views; see /openapi.json). */

export const flagKinds = ["release", "experiment", "operational", "kill-switch", "permission"] as const;
export type FlagKind = (typeof flagKinds)[number];

export interface FlagEnvironmentState {
  enabled: boolean;
  version: number;
  updatedAt: string;
}

export interface Flag {
  key: string;
  name: string;
  description: string;
  kind: FlagKind;
  variations: Variation[];
  metadata: FlagMetadata;
  tags: string[];
  owner: string | null;
  expectedLifetimeDays: number | null;
  permanent: boolean;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  environments: Record<string, FlagEnvironmentState>;
  /** `GET /api/flags/:key` only: the newest rollback rehearsal per environment. */
  lastRehearsals?: Record<string, Rehearsal>;
}

/** One write of a rehearsal (the flag-off or the restore) and its acknowledgements. */
export interface RehearsalPhase {
  version: number;
  connected: number;
  acknowledged: number;
  p50Ms: number | null;
  maxMs: number | null;
  late: Array<{ instanceId: string; sdk: string | null; sdkVersion: string | null; lastSeenAt: string; acknowledgedMs: number | null }>;
}

export interface Rehearsal {
  id: string;
  environment: string;
  flag: string;
  status: "running" | "passed" | "failed" | "error";
  targetMs: number;
  summary: string;
  startedAt: string;
  finishedAt: string | null;
  detection: { ms: number } | null;
  flagOff: RehearsalPhase | null;
  restore: RehearsalPhase | null;
  problem: string | null;
}

export interface Environment {
  key: string;
  name: string;
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  /** Rollback rehearsals are refused here unless explicitly allowed. */
  production: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A rule as the console edits it: a new rule has no id until the server gives it one. */
export type RuleDraft = Omit<StoredRule, "id"> & { id?: string };

/** A config as the API answers it: every field present. */
export interface FlagConfig extends Omit<StoredFlagConfig, "rules" | "prerequisites"> {
  rules: RuleDraft[];
  prerequisites: StoredPrerequisite[];
}

export const operators = Object.values(Operators);

export interface FlagConfigView extends FlagConfig {
  flag: string;
  environment: string;
  version: number;
  updatedAt: string;
}

export interface FlagConfigVersion extends FlagConfig {
  flag: string;
  environment: string;
  version: number;
  createdAt: string;
  actor: { tokenId: string | null; name: string | null };
  comment: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: { tokenId: string | null; name: string };
  action: string;
  resource: { type: string; key: string };
  flag: string | null;
  environment: string | null;
  before: unknown;
  after: unknown;
  comment: string | null;
  deployId: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface Segment {
  key: string;
  name: string;
  description: string;
  included: string[];
  excluded: string[];
  rules: Array<{ id?: string; conditions: Condition[] }>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const tokenKinds = ["admin", "server", "client", "deploy", "relay"] as const;
export type TokenKind = (typeof tokenKinds)[number];

export interface Token {
  id: string;
  name: string;
  kind: TokenKind;
  environment: string | null;
  /** Relay tokens only: the environments the relay serves. */
  environments?: string[];
  hint: string;
  createdAt: string;
  createdBy: string | null;
}

export interface StaleReason {
  code: string;
  since?: string;
  summary: string;
  suggestion: string;
}

export interface StaleReport {
  generatedAt: string;
  environment: string | null;
  flags: Array<{ flag: string; name: string; kind: FlagKind; owner: string | null; archived: boolean; reasons: StaleReason[] }>;
}
