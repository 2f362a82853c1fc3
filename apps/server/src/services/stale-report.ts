import type { FlagConfig, VariationValue } from "@switchyard/core";
import { heldSince, type ConfigVersion } from "./config-timeline";
import { expectedLifetimeDaysByKind } from "./flag-defaults";
import { servableVariations } from "@switchyard/core";
import {
  StaleReasonCodes,
  type CodeReferences,
  type ReportFlag,
  type StaleFlagEntry,
  type StaleReason,
  type StaleReport,
  type StaleReportInput,
} from "./stale-report-types";

export type { ConfigVersion } from "./config-timeline";
export * from "./stale-report-types";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const iso = (at: Date) => at.toISOString();
const day = (at: Date) => at.toISOString().slice(0, 10);
const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY_MS);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** How a value is written in code: `true`, `"semantic"`, `42`. */
export const codeLiteral = (value: VariationValue | undefined) => `\`${JSON.stringify(value ?? null)}\``;
const list = (items: readonly string[], max = 3) =>
  items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;

/**
 * The stale-flag report: pure — no I/O, no clock (`now` is an input) — so every reason can be
 * tested at any moment in a flag's life.
 */
export function staleReport(input: StaleReportInput): StaleReport {
  // As of `now`: versions written later (only a test can have them) are not history yet.
  const historyByFlag = groupBy(
    input.configHistory.filter((v) => v.createdAt <= input.now),
    (v) => v.flag,
  );
  const evaluatedAt = new Map(
    input.evaluations.flags.map((e) => [`${e.environment}\u0000${e.flag}`, bucketEnd(e.lastBucketAt, input.now)]),
  );
  const refsByFlag = groupBy(input.codeRefs.refs, (r) => r.flag);
  const context: FlagContext = { ...input, evaluatedAt, refsByFlag };
  const entries: StaleFlagEntry[] = [];
  for (const flag of [...input.flags].sort((a, b) => a.key.localeCompare(b.key))) {
    const reasons = flagReasons(flag, historyByFlag.get(flag.key) ?? [], context);
    if (reasons.length > 0) {
      entries.push({ flag: flag.key, name: flag.name, kind: flag.kind, owner: flag.owner, archived: flag.archivedAt !== null, reasons });
    }
  }
  return {
    generatedAt: iso(input.now),
    environment: input.environment ?? null,
    thresholds: input.thresholds,
    coverage: {
      flags: input.flags.length,
      environments: [...new Set(input.configHistory.map((v) => v.environment))].sort(),
      reportingEnvironments: input.evaluations.environments.map((e) => e.environment).sort(),
      codeRefUploads: input.codeRefs.uploads.map((u) => ({ repository: u.repository, branch: u.branch, uploadedAt: iso(u.uploadedAt) })),
    },
    flags: entries,
  };
}

interface FlagContext extends StaleReportInput {
  /** The end of the last bucket that counted the flag, by `environment \0 flag`. */
  evaluatedAt: Map<string, Date>;
  refsByFlag: Map<string, CodeReferences["refs"]>;
}

function flagReasons(flag: ReportFlag, history: ConfigVersion[], context: FlagContext): StaleReason[] {
  // An archived flag is already gone for SDKs; the only debt left is code still reading it.
  if (flag.archivedAt !== null) return compact([archivedButInCode(flag, context)]);
  const environments = [...new Set(history.map((v) => v.environment))].sort();
  // A kill switch serves one value everywhere until the day it is pulled: that is its job, not debt.
  const constantByDesign = flag.kind === "kill-switch";
  return compact([
    environments.length === 0 ? null : notEvaluated(flag, environments, context),
    environments.length === 0 || constantByDesign ? null : fullyRolledOut(flag, history, context),
    pastExpectedLifetime(flag, context.now),
    environments.length === 0 || constantByDesign ? null : disabledEverywhere(flag, history, context),
    notInCode(flag, context),
    environments.length === 0 ? null : notRehearsed(flag, context),
  ]);
}

/** A bucket counts evaluations up to its end; the current hour's bucket up to now. */
function bucketEnd(bucketStart: Date, now: Date): Date {
  return new Date(Math.min(bucketStart.getTime() + HOUR_MS, now.getTime()));
}

/**
 * Claimed only from environments whose SDKs reported all along: their telemetry reaches back to the
 * start of the period and they reported within it. Silence from an environment without reporting
 * SDKs (metrics off, no SDK at all, telemetry younger than the period) proves nothing.
 */
function notEvaluated(flag: ReportFlag, environments: string[], context: FlagContext): StaleReason | null {
  const days = context.thresholds.notEvaluatedDays;
  const periodStart = new Date(context.now.getTime() - days * DAY_MS);
  if (flag.createdAt > periodStart) return null;
  const lastAt = (environment: string) => context.evaluatedAt.get(`${environment}\u0000${flag.key}`) ?? null;
  if (environments.some((e) => (lastAt(e)?.getTime() ?? -Infinity) >= periodStart.getTime())) return null;
  const telemetry = new Map(context.evaluations.environments.map((e) => [e.environment, e]));
  const observed = environments.filter((e) => {
    const t = telemetry.get(e);
    return t !== undefined && t.firstBucketAt <= periodStart && bucketEnd(t.lastBucketAt, context.now) >= periodStart;
  });
  if (observed.length === 0) return null;
  const last = observed
    .map(lastAt)
    .filter((at): at is Date => at !== null)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  const telemetrySince =
    observed.map((e) => telemetry.get(e)?.firstBucketAt ?? context.now).sort((a, b) => a.getTime() - b.getTime())[0] ?? context.now;
  const where = list(observed);
  return {
    code: StaleReasonCodes.notEvaluated,
    ...(last === undefined ? {} : { since: iso(last) }),
    summary:
      last === undefined
        ? `Never evaluated in ${where} as far back as telemetry goes (${day(telemetrySince)}), though SDKs there report`
        : `No evaluation in ${where} for ${daysBetween(last, context.now)} days (last ${day(last)}), though SDKs there report`,
    facts: {
      days,
      environments: observed.map((environment) => {
        const at = lastAt(environment);
        return { environment, lastEvaluatedAt: at === null ? null : iso(at) };
      }),
      unobservedEnvironments: environments.filter((e) => !observed.includes(e)),
      telemetrySince: iso(telemetrySince),
    },
    suggestion: "Nothing reads it: check that the code behind it is gone, then archive the flag",
  };
}

function fullyRolledOut(flag: ReportFlag, history: ConfigVersion[], context: FlagContext): StaleReason | null {
  const held = heldSince(history, (configs) => {
    const on = [...configs.values()].filter((c) => c.enabled);
    if (on.length === 0) return null;
    const served = new Set<number>();
    for (const config of on) {
      const [only, ...others] = servableVariations(config);
      if (only === undefined || others.length > 0) return null;
      served.add(only);
    }
    const [variation, ...more] = served;
    return variation !== undefined && more.length === 0 ? String(variation) : null;
  });
  const days = context.thresholds.fullyRolledOutDays;
  if (held === null || daysBetween(held.since, context.now) < days) return null;
  const variation = Number(held.signature);
  const current = currentConfigs(history);
  const on = [...current].filter(([, c]) => c.enabled).map(([e]) => e);
  const off = [...current].filter(([, c]) => !c.enabled).map(([e]) => e);
  const value = codeLiteral(flag.variations[variation]);
  return {
    code: StaleReasonCodes.fullyRolledOut,
    since: iso(held.since),
    summary: `Serves ${value} to everyone in ${list(on)}${off.length > 0 ? ` (off in ${list(off)})` : ""} since ${day(held.since)}`,
    facts: { days, variation, value: flag.variations[variation] ?? null, environments: on, offEnvironments: off },
    suggestion: `Replace with ${value} and remove the flag`,
  };
}

function pastExpectedLifetime(flag: ReportFlag, now: Date): StaleReason | null {
  if (flag.permanent) return null;
  const lifetimeDays = flag.expectedLifetimeDays ?? expectedLifetimeDaysByKind[flag.kind];
  if (lifetimeDays === null) return null;
  const expiredAt = new Date(flag.createdAt.getTime() + lifetimeDays * DAY_MS);
  if (now < expiredAt) return null;
  const ownLifetime = flag.expectedLifetimeDays !== null;
  return {
    code: StaleReasonCodes.pastExpectedLifetime,
    since: iso(expiredAt),
    summary: `${daysBetween(flag.createdAt, now)} days old; ${ownLifetime ? "its own expected lifetime is" : `a ${flag.kind} flag is expected to live`} ${plural(lifetimeDays, "day")}`,
    facts: {
      kind: flag.kind,
      createdAt: iso(flag.createdAt),
      ageDays: daysBetween(flag.createdAt, now),
      expectedLifetimeDays: lifetimeDays,
      lifetimeFrom: ownLifetime ? "flag" : "kind",
    },
    suggestion: `Finish the rollout and remove it, or mark it permanent (PATCH /api/flags/${flag.key} {"permanent": true}) if it is meant to stay`,
  };
}

function disabledEverywhere(flag: ReportFlag, history: ConfigVersion[], context: FlagContext): StaleReason | null {
  const held = heldSince(history, (configs) => ([...configs.values()].every((c) => !c.enabled) ? "off" : null));
  const days = context.thresholds.disabledDays;
  if (held === null || daysBetween(held.since, context.now) < days) return null;
  const current = currentConfigs(history);
  const [offVariation, ...otherOffVariations] = new Set([...current.values()].map((c) => c.offVariation));
  const served = offVariation !== undefined && otherOffVariations.length === 0 ? flag.variations[offVariation] : undefined;
  const environments = [...current.keys()];
  return {
    code: StaleReasonCodes.disabledEverywhere,
    since: iso(held.since),
    summary: `Off in ${environments.length === 1 ? environments[0] : `all ${environments.length} environments`} since ${day(held.since)}${served === undefined ? "" : ` (serves ${codeLiteral(served)})`}`,
    facts: { days, environments, value: served ?? null },
    suggestion:
      served === undefined
        ? "Remove the code behind it and archive the flag"
        : `Replace with ${codeLiteral(served)} and remove the flag (the code behind it never runs)`,
  };
}

function notInCode(flag: ReportFlag, context: FlagContext): StaleReason | null {
  const uploads = context.codeRefs.uploads;
  if (uploads.length === 0 || (context.refsByFlag.get(flag.key)?.length ?? 0) > 0) return null;
  const scanned = uploads.map((u) => `${u.repository}@${u.branch}`).sort();
  return {
    code: StaleReasonCodes.notInCode,
    summary: `No reference in ${list(scanned)}`,
    facts: { repositories: uploads.map((u) => ({ repository: u.repository, branch: u.branch, uploadedAt: iso(u.uploadedAt) })) },
    suggestion: `Safe to archive: DELETE /api/flags/${flag.key}`,
  };
}

/**
 * A kill switch, or a flag a guarded deploy would turn off, is a rollback path: without a passed
 * rollback rehearsal in the last `notRehearsedDays` nobody knows it works. A new one is claimed at
 * once — it is relied on from the start — since its creation (kill switch) or first guarded deploy.
 */
function notRehearsed(flag: ReportFlag, context: FlagContext): StaleReason | null {
  const guarded = context.rehearsals.guarded.filter((g) => g.flag === flag.key);
  const killSwitch = flag.kind === "kill-switch";
  if (!killSwitch && guarded.length === 0) return null;
  const days = context.thresholds.notRehearsedDays;
  const last = context.rehearsals.passed.filter((p) => p.flag === flag.key).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  const expiresAt = last === undefined ? undefined : new Date(last.at.getTime() + days * DAY_MS);
  if (expiresAt !== undefined && context.now < expiresAt) return null;
  const firstDeployAt = guarded.map((g) => g.firstDeployAt).sort((a, b) => a.getTime() - b.getTime())[0];
  const since = expiresAt ?? (killSwitch ? flag.createdAt : (firstDeployAt ?? flag.createdAt));
  const why = killSwitch ? "kill switch" : `flag guarded by deploys in ${list([...new Set(guarded.map((g) => g.environment))].sort())}`;
  return {
    code: StaleReasonCodes.killSwitchNotRehearsed,
    since: iso(since),
    summary:
      last === undefined
        ? `A ${why} whose rollback was never rehearsed`
        : `A ${why} last rehearsed ${day(last.at)} in ${last.environment}, ${daysBetween(last.at, context.now)} days ago`,
    facts: {
      days,
      killSwitch,
      guardedBy: guarded.map((g) => ({ environment: g.environment, firstDeployAt: iso(g.firstDeployAt) })),
      lastRehearsal: last === undefined ? null : { environment: last.environment, at: iso(last.at) },
    },
    suggestion: `Rehearse turning it off where SDKs run: switchyard rehearse --env staging --flag ${flag.key}`,
  };
}

const MAX_LISTED_REFS = 20;

function archivedButInCode(flag: ReportFlag, context: FlagContext): StaleReason | null {
  const refs = context.refsByFlag.get(flag.key) ?? [];
  if (flag.archivedAt === null || refs.length === 0) return null;
  const ordered = [...refs].sort(
    (a, b) => `${a.repository}@${a.branch}:${a.path}`.localeCompare(`${b.repository}@${b.branch}:${b.path}`) || a.line - b.line,
  );
  return {
    code: StaleReasonCodes.archivedButInCode,
    since: iso(flag.archivedAt),
    summary: `Archived ${day(flag.archivedAt)} but still referenced ${plural(refs.length, "time")}: ${list(ordered.map((r) => `${r.path}:${r.line}`))}`,
    facts: {
      archivedAt: iso(flag.archivedAt),
      referenceCount: refs.length,
      references: ordered
        .slice(0, MAX_LISTED_REFS)
        .map((r) => ({ repository: r.repository, branch: r.branch, path: r.path, line: r.line })),
    },
    suggestion: `SDKs serve the code's default for an archived flag: remove these references, or unarchive it (PATCH /api/flags/${flag.key} {"archived": false})`,
  };
}

/** The latest version of each environment's config. */
function currentConfigs(history: readonly ConfigVersion[]): Map<string, FlagConfig> {
  const latest = new Map<string, ConfigVersion>();
  for (const v of history) {
    const seen = latest.get(v.environment);
    if (seen === undefined || v.version > seen.version) latest.set(v.environment, v);
  }
  return new Map([...latest.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([e, v]) => [e, v.config]));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const compact = (reasons: Array<StaleReason | null>) => reasons.filter((r): r is StaleReason => r !== null);
