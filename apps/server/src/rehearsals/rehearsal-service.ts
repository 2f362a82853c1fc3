import { randomBytes } from "node:crypto";
import { AppError, fail, ok, validationFailed, type Result } from "../errors";
import type { DeployServiceDeps } from "../deploys/deploy-service";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import { getEnvironment } from "../store/environments";
import { getConfig } from "../store/flag-configs";
import { getFlag } from "../store/flags";
import * as store from "../store/rehearsals";
import { runRehearsal, type RehearsalTiming } from "./rehearsal-runner";
import { DEFAULT_TARGET_MS, RehearsalStatuses, type RehearsalStatus, type RehearsalView } from "./types";

export interface RehearsalInput {
  environment: string;
  flag: string;
  targetMs?: number | undefined;
  allowProduction?: boolean | undefined;
}

/** A rehearsal still `running` after this long died with its replica; another may start (one runs at a time). */
const ABANDONED_AFTER_MS = 15 * 60_000;

const newRehearsalId = () => `reh_${randomBytes(12).toString("base64url")}`;

export function rehearsalView(row: store.RehearsalRow): RehearsalView {
  const result = row.result ?? { detection: null, flagOff: null, restore: null, problem: null };
  return {
    id: row.id,
    environment: row.environmentKey,
    flag: row.flagKey,
    deployId: row.deployId,
    status: row.status,
    targetMs: row.targetMs,
    summary: row.summary,
    createdBy: row.createdBy,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    ...result,
  };
}

/** The flag must be live in the environment, and a production environment must be named as such. */
async function admissible(db: Db, input: RehearsalInput): Promise<Result<void>> {
  const [environment, flag, config] = await Promise.all([
    getEnvironment(db, input.environment),
    getFlag(db, input.flag),
    getConfig(db, input.flag, input.environment),
  ]);
  const issues = [
    ...(environment === undefined ? [{ path: "environment", message: `unknown environment '${input.environment}'` }] : []),
    ...(flag === undefined
      ? [{ path: "flag", message: `unknown flag '${input.flag}'` }]
      : flag.archivedAt !== null
        ? [{ path: "flag", message: `flag '${input.flag}' is archived` }]
        : environment !== undefined && config === undefined
          ? [{ path: "flag", message: `flag '${input.flag}' has no config in environment '${input.environment}'` }]
          : []),
  ];
  if (issues.length > 0) return { ok: false, error: validationFailed(issues, "rehearsal") };
  if (environment?.production === true && input.allowProduction !== true) {
    return {
      ok: false,
      error: new AppError(
        "CONFLICT",
        `'${input.environment}' is a production environment: a rehearsal turns '${input.flag}' off there for real, for every user. ` +
          `Rehearse in staging, or pass "allowProduction": true (switchyard rehearse --allow-production) to run it anyway`,
        { environment: input.environment, production: true },
      ),
    };
  }
  await store.abandonRehearsals(db, input.flag, input.environment, new Date(Date.now() - ABANDONED_AFTER_MS));
  return ok(undefined);
}

/**
 * Runs a rollback rehearsal to its end and returns it (seconds: the flag-off, the wait for every
 * connected instance, the restore and its wait). The row is written first, so
 * `GET /api/rehearsals/:id` shows it `running` meanwhile.
 */
export async function rehearse(
  deps: DeployServiceDeps,
  actor: Actor,
  input: RehearsalInput,
  timing: RehearsalTiming = {},
): Promise<Result<RehearsalView>> {
  const allowed = await admissible(deps.db, input);
  if (!allowed.ok) return allowed;
  const targetMs = input.targetMs ?? DEFAULT_TARGET_MS;
  const row = await store.insertRehearsal(deps.db, {
    id: newRehearsalId(),
    environmentKey: input.environment,
    flagKey: input.flag,
    status: RehearsalStatuses.running,
    targetMs,
    createdBy: actor.name,
    startedAt: new Date(),
  });
  if (row === undefined) return fail("CONFLICT", `A rehearsal of '${input.flag}' in '${input.environment}' is still running`);
  const run = { id: row.id, environment: input.environment, flag: input.flag, targetMs };
  // The flag-off and the restore are audited as the rehearsal's: the actor names it.
  const rehearsalActor: Actor = { tokenId: actor.tokenId, name: `${actor.name} (rehearsal ${row.id})` };
  const outcome = await runRehearsal(deps, rehearsalActor, run, timing).catch(async (error: unknown) => {
    await store.updateRehearsal(deps.db, row.id, {
      status: RehearsalStatuses.error,
      summary: "error: the rehearsal broke off (see the server log)",
      finishedAt: new Date(),
    });
    throw error;
  });
  await store.updateRehearsal(deps.db, row.id, { ...outcome, finishedAt: new Date() });
  return getRehearsalView(deps.db, row.id);
}

export async function getRehearsalView(db: Db, id: string): Promise<Result<RehearsalView>> {
  const row = await store.getRehearsal(db, id);
  return row === undefined ? fail("NOT_FOUND", `No rehearsal '${id}'`) : ok(rehearsalView(row));
}

export async function listRehearsalViews(
  db: Db,
  filter: { flag?: string | undefined; environment?: string | undefined; status?: RehearsalStatus | undefined; limit: number },
): Promise<RehearsalView[]> {
  return (await store.listRehearsals(db, filter)).map(rehearsalView);
}

/** What `GET /api/flags/:key` shows: the newest rehearsal of the flag in each environment. */
export async function lastRehearsals(db: Db, flag: string): Promise<Record<string, RehearsalView>> {
  return Object.fromEntries((await store.lastRehearsalsOfFlag(db, flag)).map((row) => [row.environmentKey, rehearsalView(row)]));
}
