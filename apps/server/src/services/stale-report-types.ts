import type { VariationValue } from "@switchyard/core";
import type { ConfigVersion } from "./config-timeline";
import type { FlagKind } from "./flag-defaults";

/** The stale-flag report's vocabulary: its reasons, thresholds, input and output. */
export const StaleReasonCodes = {
  notEvaluated: "NOT_EVALUATED",
  fullyRolledOut: "FULLY_ROLLED_OUT",
  pastExpectedLifetime: "PAST_EXPECTED_LIFETIME",
  disabledEverywhere: "DISABLED_EVERYWHERE",
  notInCode: "NOT_IN_CODE",
  archivedButInCode: "ARCHIVED_BUT_IN_CODE",
  killSwitchNotRehearsed: "KILL_SWITCH_NOT_REHEARSED",
} as const;
export type StaleReasonCode = (typeof StaleReasonCodes)[keyof typeof StaleReasonCodes];
export const staleReasonCodeList: readonly StaleReasonCode[] = Object.values(StaleReasonCodes);

export interface StaleThresholds {
  /** NOT_EVALUATED: no evaluation reported for this many days. */
  notEvaluatedDays: number;
  /** FULLY_ROLLED_OUT: serving one variation to everyone for this many days. */
  fullyRolledOutDays: number;
  /** DISABLED_EVERYWHERE: off in every environment for this many days. */
  disabledDays: number;
  /** KILL_SWITCH_NOT_REHEARSED: a kill switch or deploy-guarded flag without a passed rollback rehearsal for this many days. */
  notRehearsedDays: number;
}

export const defaultStaleThresholds: StaleThresholds = {
  notEvaluatedDays: 14,
  fullyRolledOutDays: 7,
  disabledDays: 30,
  notRehearsedDays: 30,
};

export interface ReportFlag {
  key: string;
  name: string;
  kind: FlagKind;
  variations: VariationValue[];
  owner: string | null;
  createdAt: Date;
  archivedAt: Date | null;
  /** The flag's own override (null: its kind's). */
  expectedLifetimeDays: number | null;
  permanent: boolean;
}

/**
 * What SDK metrics say, summarized from the hourly `evaluation_counts` buckets: times are bucket
 * starts (an evaluation counted in the 10:00 bucket happened between 10:00 and 11:00).
 */
export interface EvaluationTelemetry {
  /** Environments whose SDKs reported evaluations: first and last bucket of any flag. */
  environments: Array<{ environment: string; firstBucketAt: Date; lastBucketAt: Date }>;
  /** The last bucket that counted an evaluation of the flag in the environment. */
  flags: Array<{ flag: string; environment: string; lastBucketAt: Date }>;
}

export interface CodeReferences {
  /** Every repository and branch `switchyard scan` uploaded, even with no reference. */
  uploads: Array<{ repository: string; branch: string; uploadedAt: Date }>;
  refs: Array<{ flag: string; repository: string; branch: string; path: string; line: number }>;
}

export interface StaleReportInput {
  now: Date;
  /** The one environment the report covers, when it was asked for one (the history is then only its). */
  environment?: string | undefined;
  thresholds: StaleThresholds;
  flags: readonly ReportFlag[];
  /** Every kept config version of the flags, in the environments the report covers. */
  configHistory: readonly ConfigVersion[];
  evaluations: EvaluationTelemetry;
  codeRefs: CodeReferences;
  rehearsals: RehearsalEvidence;
}

/** Which flags a rollback is expected of, and when each last passed a rehearsal (per environment). */
export interface RehearsalEvidence {
  /** The latest passed rehearsal of each flag in each environment. */
  passed: Array<{ flag: string; environment: string; at: Date }>;
  /** Flags that real (not rehearsal) guarded deploys named, with the first such deploy. */
  guarded: Array<{ flag: string; environment: string; firstDeployAt: Date }>;
}

export interface StaleReason {
  code: StaleReasonCode;
  /** Since when the reason holds (ISO-8601), when that is known. */
  since?: string;
  /** The facts as one sentence, for people. */
  summary: string;
  facts: Record<string, unknown>;
  suggestion: string;
}

export interface StaleFlagEntry {
  flag: string;
  name: string;
  kind: FlagKind;
  owner: string | null;
  archived: boolean;
  reasons: StaleReason[];
}

export interface StaleReport {
  generatedAt: string;
  environment: string | null;
  thresholds: StaleThresholds;
  /** What the evidence covers, so an empty report can be told apart from a blind one. */
  coverage: {
    flags: number;
    environments: string[];
    /** Environments whose SDKs reported evaluations (NOT_EVALUATED is only claimed there). */
    reportingEnvironments: string[];
    codeRefUploads: Array<{ repository: string; branch: string; uploadedAt: string }>;
  };
  flags: StaleFlagEntry[];
}
