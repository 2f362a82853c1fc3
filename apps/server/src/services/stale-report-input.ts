import { listCodeRefLocations, listCodeRefUploads } from "../store/code-refs";
import { indexedConfig } from "@switchyard/core";
import { listConfigHistory } from "../store/config-history";
import type { Db } from "../store/database";
import { lastEvaluationBuckets, reportingEnvironments } from "../store/evaluation-telemetry";
import { listFlags, type FlagRow } from "../store/flags";
import { guardedFlagsOfDeploys, lastPassedRehearsals } from "../store/rehearsals";
import { flagKindList, type FlagKind } from "./flag-defaults";
import type { ReportFlag, StaleReportInput, StaleThresholds } from "./stale-report";

export interface StaleReportScope {
  /** Only this environment's configs and telemetry. */
  environment?: string | undefined;
  /** Only code references uploaded for this repository and/or branch (a pull request's scan). */
  repository?: string | undefined;
  branch?: string | undefined;
}

/**
 * Reads what the pure report needs: every flag (archived ones too, for ARCHIVED_BUT_IN_CODE), the
 * config history and evaluation telemetry of the covered environments, and the code references.
 */
export async function loadStaleReportInput(
  db: Db,
  options: StaleReportScope & { now: Date; thresholds: StaleThresholds },
): Promise<StaleReportInput> {
  const codeScope = { repository: options.repository, branch: options.branch };
  const inCodeScope = (u: { repository: string; branch: string }) =>
    (options.repository === undefined || u.repository === options.repository) &&
    (options.branch === undefined || u.branch === options.branch);
  const [flags, configHistory, environments, lastEvaluated, uploads, refs, passed, guarded] = await Promise.all([
    listFlags(db, { includeArchived: true }),
    listConfigHistory(db, options.environment),
    reportingEnvironments(db, options.environment),
    lastEvaluationBuckets(db, options.environment),
    listCodeRefUploads(db).then((rows) => rows.filter(inCodeScope)),
    listCodeRefLocations(db, codeScope),
    lastPassedRehearsals(db, options.environment),
    guardedFlagsOfDeploys(db, options.environment),
  ]);
  return {
    now: options.now,
    environment: options.environment,
    thresholds: options.thresholds,
    flags: flags.map(reportFlag),
    configHistory: indexedHistory(configHistory, flags),
    evaluations: { environments, flags: lastEvaluated },
    codeRefs: { uploads, refs },
    rehearsals: { passed, guarded },
  };
}

const isFlagKind = (kind: string): kind is FlagKind => (flagKindList as readonly string[]).includes(kind);

function reportFlag(row: FlagRow): ReportFlag {
  return {
    key: row.key,
    name: row.name,
    // Only validated kinds are ever written; anything else is treated as a release flag.
    kind: isFlagKind(row.kind) ? row.kind : "release",
    variations: row.variations.map((v) => v.value),
    owner: row.owner,
    createdAt: row.createdAt,
    archivedAt: row.archivedAt,
    expectedLifetimeDays: row.expectedLifetimeDays,
    permanent: row.permanent,
  };
}

/** The report reasons about indexes: each kept version, against the flags' current variations. */
function indexedHistory(history: Awaited<ReturnType<typeof listConfigHistory>>, flags: readonly FlagRow[]) {
  const ids = new Map(flags.map((f) => [f.key, f.variations.map((v) => v.id)] as const));
  const idsOf = (key: string) => ids.get(key);
  return history.map((row) => ({ ...row, config: indexedConfig(row.config, idsOf(row.flag) ?? [], idsOf) }));
}
