import type { FlagConfig, Rule, Serve } from "@switchyard/core";
import type { ConfigVersion } from "./config-timeline";
import {
  defaultStaleThresholds,
  staleReport,
  type CodeReferences,
  type EvaluationTelemetry,
  type RehearsalEvidence,
  type ReportFlag,
  type StaleReason,
} from "./stale-report";

/** Test data for the pure stale-flag report: a clock in days from T0, flags and their histories. */
export const T0 = new Date("2026-01-01T00:00:00.000Z");
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const at = (days: number, hours = 0) => new Date(T0.getTime() + days * DAY_MS + hours * HOUR_MS);

export const off = (offVariation = 1): FlagConfig => ({
  enabled: false,
  offVariation,
  rules: [],
  fallthrough: { variation: 0 },
  prerequisites: [],
});
export const on = (fallthrough: Serve, rules: Rule[] = [], offVariation = 1): FlagConfig => ({
  enabled: true,
  offVariation,
  rules,
  fallthrough,
  prerequisites: [],
});
export const rule = (
  id: string,
  serve: Serve,
  conditions: Rule["conditions"] = [{ attribute: "plan", operator: "in", values: ["pro"] }],
): Rule => ({ id, conditions, serve });

export function flag(key: string, fields: Partial<ReportFlag> = {}): ReportFlag {
  return {
    key,
    name: key,
    kind: "release",
    variations: [true, false],
    owner: null,
    createdAt: T0,
    archivedAt: null,
    expectedLifetimeDays: null,
    permanent: false,
    ...fields,
  };
}

/**
 * A flag's history as `[day, environment, config]` writes; each environment's versions count up
 * from 1. A new flag starts off in every environment at day 0 unless the first writes say otherwise.
 */
export function history(
  key: string,
  writes: Array<[number, string, FlagConfig]>,
  environments = ["development", "production", "staging"],
): ConfigVersion[] {
  const versions = new Map<string, number>();
  const all: Array<[number, string, FlagConfig]> = [...environments.map((e): [number, string, FlagConfig] => [0, e, off()]), ...writes];
  return all.map(([day, environment, config]) => {
    const version = (versions.get(environment) ?? 0) + 1;
    versions.set(environment, version);
    return { flag: key, environment, version, config, createdAt: at(day) };
  });
}

export interface World {
  flags: ReportFlag[];
  configHistory: ConfigVersion[];
  evaluations?: EvaluationTelemetry;
  codeRefs?: CodeReferences;
  rehearsals?: RehearsalEvidence;
}

export const noTelemetry: EvaluationTelemetry = { environments: [], flags: [] };
export const noCodeRefs: CodeReferences = { uploads: [], refs: [] };
export const noRehearsals: RehearsalEvidence = { passed: [], guarded: [] };

export function reportAt(world: World, now: Date, thresholds = defaultStaleThresholds) {
  return staleReport({
    now,
    thresholds,
    flags: world.flags,
    configHistory: world.configHistory,
    evaluations: world.evaluations ?? noTelemetry,
    codeRefs: world.codeRefs ?? noCodeRefs,
    rehearsals: world.rehearsals ?? noRehearsals,
  });
}

/** The reason codes each reported flag has at `now`. */
export function codesAt(world: World, now: Date, thresholds = defaultStaleThresholds): Record<string, string[]> {
  return Object.fromEntries(reportAt(world, now, thresholds).flags.map((e) => [e.flag, e.reasons.map((r) => r.code)]));
}

export function reasonAt(world: World, now: Date, key: string, code: string, thresholds = defaultStaleThresholds): StaleReason | undefined {
  return reportAt(world, now, thresholds)
    .flags.find((e) => e.flag === key)
    ?.reasons.find((r) => r.code === code);
}
