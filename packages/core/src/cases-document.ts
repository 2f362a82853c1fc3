import type { Snapshot } from "./types";

/** What a vector of `cases.json` pins: the result without its human-readable errorMessage. */
export interface CaseExpectation {
  value: unknown;
  variation: number | null;
  variant?: string;
  reason: string;
  ruleId?: string;
  errorCode?: string;
  prerequisiteKey?: string;
  flagMetadata?: Record<string, string | number | boolean>;
}

/** The shape of `@switchyard/core/cases.json`, the vectors every implementation runs. */
export interface CasesDocument {
  buckets: Array<{ seed: string; value: string; bucket: number }>;
  suites: Array<{
    name: string;
    snapshot: Snapshot;
    cases: Array<{ name: string; flag: string; context: unknown; expect: CaseExpectation }>;
  }>;
}
