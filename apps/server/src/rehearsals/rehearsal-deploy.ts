import { createDeploy, recordSignals, type DeployServiceDeps } from "../deploys/deploy-service";
import { BreachResponses } from "../deploys/types";
import type { Result } from "../errors";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import type { StoredFlagOff } from "../store/deploy-schema";
import * as deploysStore from "../store/deploys";

/** The signal the rehearsal's deploy checks and the rehearsal pushes: 1 breaches, 0 holds. */
export const REHEARSAL_SIGNAL = "rehearsal_breach";
export const REHEARSAL_SERVICE = "switchyard-rehearsal";

/**
 * The guard of a rehearsal's deploy: one-second intervals (detection is one interval plus a
 * worker tick), one check that the synthetic samples breach, no cohort data (so the engine
 * probes the flag, turning it off), every connected instance to acknowledge.
 */
export function rehearsalGuard(targetMs: number) {
  return {
    windowSeconds: 300,
    intervalSeconds: 1,
    checks: [{ signal: REHEARSAL_SIGNAL, max: 0, minSamples: 1 }],
    onBreach: BreachResponses.disableFlags,
    acknowledgeRatio: 1,
    acknowledgeIntervals: Math.max(1, Math.ceil(targetMs / 1000)),
    probe: true,
  };
}

/** Registers the deploy marked as the rehearsal's, as a pipeline would register one. */
export async function registerRehearsalDeploy(
  deps: DeployServiceDeps,
  actor: Actor,
  rehearsal: { id: string; environment: string; flag: string; targetMs: number },
): Promise<Result<{ id: string }>> {
  return createDeploy(
    deps,
    actor,
    {
      service: REHEARSAL_SERVICE,
      version: rehearsal.id,
      environment: rehearsal.environment,
      flags: [rehearsal.flag],
      guard: rehearsalGuard(rehearsal.targetMs),
    },
    new Date(),
    rehearsal.id,
  );
}

export async function pushSample(db: Db, deployId: string, value: number): Promise<void> {
  await recordSignals(db, deployId, null, [{ signal: REHEARSAL_SIGNAL, value }]);
}

/** The flag-off the deploy worker made, once it made it; `final` when the deploy ended without one. */
export async function flagOffOf(
  db: Db,
  deployId: string,
  flag: string,
): Promise<{ off: StoredFlagOff | undefined; final: boolean; summary: string | null }> {
  const row = await deploysStore.getDeploy(db, deployId);
  return {
    off: row?.flagsOff.find((o) => o.flag === flag),
    final: row?.final ?? true,
    summary: row?.decision?.evidence.summary ?? null,
  };
}

export async function deployIsFinal(db: Db, deployId: string): Promise<boolean> {
  return (await deploysStore.getDeploy(db, deployId))?.final ?? true;
}
