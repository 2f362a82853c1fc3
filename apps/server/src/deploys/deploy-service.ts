import { randomBytes } from "node:crypto";
import { AppError, fail, ok, validationFailed, type Issue, type Result } from "../errors";
import type { ReadSide } from "../live/read-side";
import { mutate } from "../services/mutation";
import { restoreFlagConfig } from "../services/flag-configs";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import * as store from "../store/deploys";
import { listConfigsOfEnvironment, getConfig } from "../store/flag-configs";
import { getFlag } from "../store/flags";
import type { FlagSnapshot } from "../store/deploy-schema";
import { baselineCursor, propagationViews, readDeployInstances } from "./deploy-inputs";
import { webhookDeliveryViews, type WebhookDeliveryView } from "./decision-webhook";
import { expandQuery, type PrometheusSource } from "./prometheus";
import { DeployStatuses, type BreachResponse, type Check, type GuardedFlag, type Guard } from "./types";

export interface DeployServiceDeps {
  db: Db;
  live: Pick<ReadSide, "committed" | "environment">;
  /** Where checks with a `query` read their samples (`PROMETHEUS_URL`); none when unset. */
  prometheus?: PrometheusSource | undefined;
}

export interface DeployInput {
  service: string;
  version: string;
  environment: string;
  commit?: string | undefined;
  flags: string[];
  guard: {
    windowSeconds: number;
    intervalSeconds: number;
    checks: Array<{
      signal: string;
      max?: number | undefined;
      min?: number | undefined;
      minSamples?: number | undefined;
      query?: string | undefined;
    }>;
    onBreach: BreachResponse;
    acknowledgeRatio?: number | undefined;
    acknowledgeIntervals?: number | undefined;
    probe?: boolean | undefined;
    significance?: number | undefined;
    browserCounts?: boolean | undefined;
  };
}

export interface SignalInput {
  signal: string;
  value: number;
  at?: string | undefined;
  flag?: string | undefined;
  variation?: number | undefined;
}

const newDeployId = () => `dep_${randomBytes(12).toString("base64url")}`;

/** Only the fields given: the stored guard is exactly what the pipeline asked for. */
function toGuard(input: DeployInput["guard"]): Guard {
  const guard: Guard = {
    windowSeconds: input.windowSeconds,
    intervalSeconds: input.intervalSeconds,
    onBreach: input.onBreach,
    checks: input.checks.map(toCheck),
  };
  if (input.acknowledgeRatio !== undefined) guard.acknowledgeRatio = input.acknowledgeRatio;
  if (input.acknowledgeIntervals !== undefined) guard.acknowledgeIntervals = input.acknowledgeIntervals;
  if (input.probe !== undefined) guard.probe = input.probe;
  if (input.significance !== undefined) guard.significance = input.significance;
  if (input.browserCounts !== undefined) guard.browserCounts = input.browserCounts;
  return guard;
}

function toCheck(input: DeployInput["guard"]["checks"][number]): Check {
  const check: Check = { signal: input.signal };
  if (input.max !== undefined) check.max = input.max;
  if (input.min !== undefined) check.min = input.min;
  if (input.minSamples !== undefined) check.minSamples = input.minSamples;
  if (input.query !== undefined) check.query = input.query;
  return check;
}

/**
 * Every query is asked once before the deploy is registered, so a typo or a query that returns
 * several series fails the pipeline step now, not as an inconclusive decision ten minutes later.
 * No data yet is fine: the new version may not have served anything.
 */
async function checkQueries(prometheus: PrometheusSource | undefined, guard: DeployInput["guard"], now: Date): Promise<Result<void>> {
  const issues: Issue[] = [];
  for (const [index, check] of guard.checks.entries()) {
    if (check.query === undefined) continue;
    const path = `guard.checks[${index}].query`;
    if (prometheus === undefined) {
      issues.push({
        path,
        message: "this server has no Prometheus (set PROMETHEUS_URL), so a check cannot name a query; push samples instead",
      });
      continue;
    }
    const outcome = await prometheus.query(expandQuery(check.query, guard.intervalSeconds), now);
    if (outcome.kind === "invalid") issues.push({ path, message: `Prometheus rejects it: ${outcome.message}` });
    if (outcome.kind === "unavailable") return fail("UNAVAILABLE", `${outcome.message}; the deploy was not registered`);
  }
  return issues.length > 0 ? { ok: false, error: validationFailed(issues, "deploy") } : ok(undefined);
}

/** Every guarded flag must be live in the environment: known, not archived, with a config there. */
async function guardedFlags(deps: DeployServiceDeps, input: DeployInput): Promise<Result<GuardedFlag[]>> {
  const view = deps.live.environment(input.environment);
  if (view === undefined)
    return {
      ok: false,
      error: validationFailed([{ path: "environment", message: `unknown environment '${input.environment}'` }], "deploy"),
    };
  const issues: Issue[] = [];
  const flags: GuardedFlag[] = [];
  for (const [index, key] of input.flags.entries()) {
    const definition = view.flagsByKey.get(key);
    if (definition !== undefined) {
      flags.push({ key, offVariation: definition.offVariation });
      continue;
    }
    const flag = await getFlag(deps.db, key);
    const message =
      flag === undefined
        ? `unknown flag '${key}'`
        : flag.archivedAt !== null
          ? `flag '${key}' is archived`
          : `flag '${key}' has no config in environment '${input.environment}'`;
    issues.push({ path: `flags[${index}]`, message });
  }
  if (issues.length > 0) return { ok: false, error: validationFailed(issues, "deploy") };
  return ok(flags);
}

export async function createDeploy(
  deps: DeployServiceDeps,
  actor: Actor,
  input: DeployInput,
  now = new Date(),
  rehearsalId: string | null = null,
): Promise<Result<DeployView>> {
  const flags = await guardedFlags(deps, input);
  if (!flags.ok) return flags;
  const queries = await checkQueries(deps.prometheus, input.guard, now);
  if (!queries.ok) return queries;
  const guard = toGuard(input.guard);
  const created = await mutate(deps, async (tx, record) => {
    const configs = await listConfigsOfEnvironment(tx, input.environment);
    const snapshot: FlagSnapshot = Object.fromEntries(configs.map((c) => [c.flagKey, { version: c.version, config: c.config }]));
    const id = newDeployId();
    const row = await store.insertDeploy(tx, {
      id,
      service: input.service,
      version: input.version,
      environmentKey: input.environment,
      commit: input.commit ?? null,
      flags: flags.value,
      guard,
      status: DeployStatuses.observing,
      final: false,
      snapshot,
      flagsOff: [],
      countCursor: await baselineCursor(tx, { environmentKey: input.environment, guard, flags: flags.value }, now),
      createdBy: actor.name,
      createdAt: now,
      rehearsalId,
    });
    await record.audit({
      actor,
      action: "deploy.create",
      resourceType: "deploy",
      resourceKey: id,
      environmentKey: input.environment,
      after: {
        id,
        service: input.service,
        version: input.version,
        commit: input.commit ?? null,
        flags: input.flags,
        guard,
        ...(rehearsalId === null ? {} : { rehearsalId }),
      },
      comment: null,
      deployId: id,
    });
    return ok(row);
  });
  if (!created.ok) return created;
  return ok(await deployView(deps.db, created.value, now));
}

export interface DeployView {
  id: string;
  service: string;
  version: string;
  environment: string;
  commit: string | null;
  flags: string[];
  guard: Guard;
  status: string;
  final: boolean;
  createdAt: string;
  createdBy: string;
  decidedAt: string | null;
  summary: string | null;
  decision: store.DeployRow["decision"];
  flagsOff: store.DeployRow["flagsOff"];
  propagation: ReturnType<typeof propagationViews>;
  /** When each SDK instance first served each flag-off, oldest first (the acknowledgement curve). */
  acknowledgements: Array<{ flag: string; instanceId: string; acknowledgedAt: string }>;
  /** How far the Prometheus source has sampled, and its latest problem (null: no query checks). */
  prometheus: store.DeployRow["prometheus"];
  snapshot: FlagSnapshot;
  /** The rollback rehearsal this deploy was registered by (its flag-off was practice); null for real deploys. */
  rehearsalId: string | null;
}

async function deployView(db: Db, row: store.DeployRow, now: Date): Promise<DeployView> {
  const [instances, acks] = await Promise.all([
    readDeployInstances(db, row, now),
    row.flagsOff.length === 0 ? [] : store.listAcks(db, row.id),
  ]);
  return {
    id: row.id,
    service: row.service,
    version: row.version,
    environment: row.environmentKey,
    commit: row.commit,
    flags: row.flags.map((f) => f.key),
    guard: row.guard,
    status: row.status,
    final: row.final,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    summary: row.decision?.evidence.summary ?? null,
    decision: row.decision,
    flagsOff: row.flagsOff,
    propagation: propagationViews(row.guard, row.flagsOff, instances, acks, now),
    acknowledgements: acks
      .map((a) => ({ flag: a.flag, instanceId: a.instanceId, acknowledgedAt: a.acknowledgedAt.toISOString() }))
      .sort((a, b) => a.acknowledgedAt.localeCompare(b.acknowledgedAt)),
    prometheus: row.prometheus,
    snapshot: row.snapshot,
    rehearsalId: row.rehearsalId,
  };
}

/** A deploy token sees only deploys of its environment; to others such a deploy does not exist. */
async function visibleDeploy(db: Db, id: string, environmentScope: string | null): Promise<Result<store.DeployRow>> {
  const row = await store.getDeploy(db, id);
  if (row === undefined || (environmentScope !== null && row.environmentKey !== environmentScope))
    return fail("NOT_FOUND", `No deploy '${id}'`);
  return ok(row);
}

/** One deploy, with its webhook deliveries (the list leaves them out: one query per deploy). */
export async function getDeployView(
  db: Db,
  id: string,
  environmentScope: string | null,
  now = new Date(),
): Promise<Result<DeployView & { webhook: { deliveries: WebhookDeliveryView[] } }>> {
  const row = await visibleDeploy(db, id, environmentScope);
  if (!row.ok) return row;
  const [view, deliveries] = await Promise.all([deployView(db, row.value, now), webhookDeliveryViews(db, id)]);
  return ok({ ...view, webhook: { deliveries } });
}

/** A deploy without the flag configs it saved at registration (their rules). */
export function withoutSnapshot<T extends DeployView>(view: T): Omit<T, "snapshot"> {
  const { snapshot: _snapshot, ...rest } = view;
  return rest;
}

/** Newest first; without the snapshots, which only matter for one deploy at a time. */
export async function listDeployViews(
  db: Db,
  filter: { service?: string | undefined; environment?: string | undefined; limit: number },
  now = new Date(),
): Promise<Array<Omit<DeployView, "snapshot">>> {
  const rows = await store.listDeploys(db, filter);
  return Promise.all(rows.map(async (row) => withoutSnapshot(await deployView(db, row, now))));
}

/** Samples after a final decision are kept (evidence for later) but change nothing. */
export async function recordSignals(
  db: Db,
  id: string,
  environmentScope: string | null,
  samples: SignalInput[],
  now = new Date(),
): Promise<Result<{ accepted: number; final: boolean }>> {
  const row = await visibleDeploy(db, id, environmentScope);
  if (!row.ok) return row;
  await store.insertSignals(
    db,
    samples.map((s) => ({
      deployId: id,
      signal: s.signal,
      value: s.value,
      at: s.at === undefined ? now : new Date(s.at),
      flag: s.flag ?? null,
      variation: s.variation ?? null,
    })),
  );
  return ok({ accepted: samples.length, final: row.value.final });
}

/** Key order of jsonb differs from what was written: compare configs with sorted keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface RestoreReport {
  restored: Array<{ flag: string; version: number; fromVersion: number }>;
  unchanged: string[];
  skipped: Array<{ flag: string; reason: string }>;
}

/**
 * Puts every flag config the snapshot holds back as it was, each as a new version through the
 * normal restore path (audited with the deploy id); configs equal to the snapshot are left as
 * they are, and so are flags created after the deploy.
 */
export async function restoreFlags(
  deps: DeployServiceDeps,
  actor: Actor,
  id: string,
  environmentScope: string | null,
): Promise<Result<RestoreReport>> {
  const row = await visibleDeploy(deps.db, id, environmentScope);
  if (!row.ok) return row;
  const report: RestoreReport = { restored: [], unchanged: [], skipped: [] };
  const environment = row.value.environmentKey;
  for (const [flag, saved] of Object.entries(row.value.snapshot).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const current = await getConfig(deps.db, flag, environment);
    if (current === undefined) {
      report.skipped.push({ flag, reason: "the flag no longer exists" });
      continue;
    }
    if (canonical(current.config) === canonical(saved.config)) {
      report.unchanged.push(flag);
      continue;
    }
    // Restored from the stored version, so history and audit say "restore" and which version.
    const written = await restoreFlagConfig(deps, actor, flag, environment, saved.version, {
      comment: `deploy ${id}: restore the config of version ${saved.version}`,
      deployId: id,
    });
    if (written.ok) report.restored.push({ flag, version: written.value.version, fromVersion: saved.version });
    else report.skipped.push({ flag, reason: written.error.message });
  }
  return ok(report);
}

export function assertEnvironmentScope(scope: string | null, environment: string): void {
  if (scope !== null && scope !== environment) {
    throw new AppError("FORBIDDEN", `This deploy token is scoped to environment '${scope}', not '${environment}'`);
  }
}
