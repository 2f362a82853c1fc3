import type { DeployServiceDeps } from "../deploys/deploy-service";
import { restoreFlagConfig } from "../services/flag-configs";
import { readInstances } from "../services/sdk-usage";
import type { Actor } from "../store/audit";
import * as deploysStore from "../store/deploys";
import * as store from "../store/rehearsals";
import { allAcknowledged, instancesToWaitFor, phaseResult, recordAcknowledgements, type Write } from "./acknowledgements";
import { deployIsFinal, flagOffOf, pushSample, registerRehearsalDeploy } from "./rehearsal-deploy";
import { describeRehearsal } from "./rehearsal-summary";
import { RehearsalStatuses, type PhaseResult, type RehearsalResult, type RehearsalStatus } from "./types";

export interface RehearsalTiming {
  /** How often acknowledgements and the deploy are read (default 100 ms). */
  pollMs?: number;
  /** How long the deploy worker may take to turn the flag off before the rehearsal gives up (default 30 s). */
  detectionTimeoutMs?: number;
}

interface Run {
  id: string;
  environment: string;
  flag: string;
  targetMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** After the target, late acknowledgements are still waited for this long, so a slow instance shows how slow. */
const graceOf = (targetMs: number) => Math.max(targetMs, 1_000);
const SETTLE_MS = 5_000;

/**
 * The rehearsal's course: register its deploy, push one breaching sample, let the deploy worker
 * turn the flag off, wait for every connected instance to acknowledge, restore the flag (only
 * over the flag-off: a change made meanwhile is left alone), wait again. The flag is restored
 * whatever happened before, once it was turned off.
 */
export async function runRehearsal(
  deps: DeployServiceDeps,
  actor: Actor,
  run: Run,
  timing: RehearsalTiming = {},
): Promise<{ status: RehearsalStatus; summary: string; result: RehearsalResult }> {
  const pollMs = timing.pollMs ?? 100;
  const result: RehearsalResult = { detection: null, flagOff: null, restore: null, problem: null };
  const end = (problem: string | null) => {
    const final = { ...result, problem };
    const status =
      problem !== null
        ? RehearsalStatuses.error
        : [final.flagOff, final.restore].some((p) => p === null || p.late.length > 0)
          ? RehearsalStatuses.failed
          : RehearsalStatuses.passed;
    return { status, summary: describeRehearsal(run, status, final), result: final };
  };

  const deploy = await registerRehearsalDeploy(deps, actor, run);
  if (!deploy.ok) return end(`the rehearsal's deploy was refused: ${deploy.error.message}`);
  const deployId = deploy.value.id;
  await store.updateRehearsal(deps.db, run.id, { deployId });
  const samplesAt = new Date();
  await pushSample(deps.db, deployId, 1);

  const deadline = samplesAt.getTime() + (timing.detectionTimeoutMs ?? 30_000);
  let state = await flagOffOf(deps.db, deployId, run.flag);
  while (state.off === undefined && !state.final && Date.now() < deadline) {
    await sleep(pollMs);
    state = await flagOffOf(deps.db, deployId, run.flag);
  }
  if (state.off === undefined) {
    await store.finishDeploy(deps.db, [deployId]);
    // The worker may have written the flag-off just before the deploy was ended.
    state = await flagOffOf(deps.db, deployId, run.flag);
    if (state.off === undefined) {
      const why = state.summary === null ? `within ${Math.round((deadline - samplesAt.getTime()) / 1000)} s` : `(${state.summary})`;
      return end(`the deploy worker did not turn the flag off ${why}`);
    }
  }
  const off = state.off;
  result.detection = {
    samplesAt: samplesAt.toISOString(),
    flagOffAt: off.disabledAt,
    ms: Date.parse(off.disabledAt) - samplesAt.getTime(),
  };
  result.flagOff = await measure(deps, run, { version: off.configVersion, seq: off.seq, writtenAtMs: Date.parse(off.disabledAt) }, pollMs);

  // From here on the breach is over: healthy samples let the deploy end `mitigated`.
  const healthy = () => pushSample(deps.db, deployId, 0);
  const snapshot = (await deploysStore.getDeploy(deps.db, deployId))?.snapshot[run.flag];
  if (snapshot === undefined) return end("the deploy kept no config of the flag to restore");
  const restored = await restoreFlagConfig(deps, actor, run.flag, run.environment, snapshot.version, {
    expectedVersion: off.configVersion,
    comment: `rehearsal ${run.id}: restore the config of version ${snapshot.version}`,
    deployId,
  });
  if (!restored.ok) {
    await store.finishDeploy(deps.db, [deployId]);
    return end(`the flag was not restored (it stays as it is now): ${restored.error.message}`);
  }
  const restoredAtMs = Date.now();
  const seq = await deploysStore.latestConfigSeq(deps.db, run.environment, run.flag);
  result.restore = await measure(deps, run, { version: restored.value.version, seq, writtenAtMs: restoredAtMs }, pollMs, healthy);

  const settleBy = Date.now() + SETTLE_MS;
  while (!(await deployIsFinal(deps.db, deployId)) && Date.now() < settleBy) {
    await healthy();
    await sleep(Math.max(pollMs, 250));
  }
  await store.finishDeploy(deps.db, [deployId]);
  return end(null);
}

/** Waits until every instance waited for acknowledged the write, or the target and its grace passed. */
async function measure(
  deps: DeployServiceDeps,
  run: Run,
  write: Write,
  pollMs: number,
  onPoll?: () => Promise<void>,
): Promise<PhaseResult> {
  let tracked = instancesToWaitFor(await readInstances(deps.db, run.environment), write);
  const deadline = write.writtenAtMs + run.targetMs + graceOf(run.targetMs);
  for (;;) {
    tracked = recordAcknowledgements(tracked, await readInstances(deps.db, run.environment), write);
    if (allAcknowledged(tracked) || Date.now() >= deadline) break;
    await onPoll?.();
    await sleep(pollMs);
  }
  return phaseResult(write, tracked, run.targetMs);
}
