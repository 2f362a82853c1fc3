/** `GET /api/deploys` and `GET /api/deploys/:id` as the console reads them (apps/server/src/deploys/types.ts). */

export type DeployStatus = "observing" | "healthy" | "mitigating" | "mitigated" | "rollback-required" | "inconclusive";

export interface IntervalEvidence {
  from: string;
  to: string;
  aggregatedFrom: string;
  value: number | null;
  samples: number;
  judgement: "held" | "breached" | "pending";
}

export interface CheckEvidence {
  signal: string;
  max: number | null;
  min: number | null;
  minSamples: number;
  source: string;
  query: string | null;
  samples: number;
  firstBreach: IntervalEvidence | null;
  held: boolean | null;
  intervals: IntervalEvidence[];
}

export interface CohortEvidence {
  flag: string;
  signal: string;
  source: "counts" | "samples";
  from: string;
  until: string;
  verdict: "explains" | "insufficient" | "no-data" | "clears";
  reason: string;
  new: { variations: number[]; rate?: number | null; events?: number; per?: number; mean?: number | null; samples?: number };
  off: { variations: number[]; rate?: number | null; events?: number; per?: number; mean?: number | null; samples?: number };
  test: { pValue: number } | null;
}

export interface PropagationEvidence {
  flag: string;
  version: number;
  acknowledged: number;
  connected: number;
  requiredRatio: number;
  acknowledgedAt: string | null;
  seconds: number | null;
}

export interface DecisionEvidence {
  summary: string;
  window: { startedAt: string; endsAt: string; intervalSeconds: number; intervals: number; completed: number };
  checks: CheckEvidence[];
  cohorts: CohortEvidence[];
  flagActions: Array<{
    flag: string;
    reason: string;
    decidedAt: string;
    taken: boolean;
    disabledAt: string | null;
    propagation: PropagationEvidence | null;
  }>;
  recovery: { from: string; to: string; held: boolean } | null;
}

export interface Deploy {
  id: string;
  service: string;
  version: string;
  environment: string;
  commit: string | null;
  flags: string[];
  status: DeployStatus;
  final: boolean;
  createdAt: string;
  createdBy: string;
  decidedAt: string | null;
  summary: string | null;
  decision: { status: DeployStatus; final: boolean; decidedAt: string; evidence: DecisionEvidence } | null;
  flagsOff: Array<{ flag: string; disabledAt: string; configVersion: number }>;
  propagation: PropagationEvidence[];
  acknowledgements: Array<{ flag: string; instanceId: string; acknowledgedAt: string }>;
}
