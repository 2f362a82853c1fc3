import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { patchFlagConfig } from "../services/flag-configs";
import type { ServiceDeps } from "../services/mutation";
import { PassLoop } from "../services/pass-loop";
import { readInstances } from "../services/sdk-usage";
import type { Actor } from "../store/audit";
import * as store from "../store/deploys";
import type { StoredFlagOff } from "../store/deploy-schema";
import { intervalsCompleted } from "./checks";
import { decide } from "./decision-engine";
import { decisionInput, newAcks, newCounts } from "./deploy-inputs";
import { BreachResponses, DeployStatuses, type DeployDecision, type DisableFlagAction, type PrometheusProgress } from "./types";
import { queueDecisionWebhook } from "./decision-webhook";
import type { PrometheusSource } from "./prometheus";
import { queryChecks, sampleIntervals } from "./prometheus-sampling";

export interface DeployWorkerOptions {
  /** How often due deploys are picked up (default 1 s). */
  tickMs?: number;
  /** How long a replica holds a deploy before another may take it over (default 30 s). */
  leaseMs?: number;
  /** Deploys handled per tick (default 50). */
  batch?: number;
  now?: () => Date;
  /** Where checks with a `query` are sampled (`PROMETHEUS_URL`). */
  prometheus?: PrometheusSource | undefined;
}

const COMMENT_MAX = 500;

/**
 * Observes undecided deploys: every tick it leases them (see `claimDeploys`), copies the new SDK
 * counts and acknowledgements, asks the pure engine, applies its actions through the admin write
 * path, and stores the decision. All state is in Postgres, so a replica that restarts, or another
 * one, picks a deploy up where it was; the engine replays from the start and never revisits a
 * final decision.
 */
export class DeployWorker {
  readonly owner = `worker_${randomBytes(6).toString("hex")}`;
  private readonly loop: PassLoop;
  private closing = false;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly now: () => Date;
  private readonly prometheus: PrometheusSource | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly logger: Logger,
    options: DeployWorkerOptions = {},
  ) {
    this.loop = new PassLoop(
      () => this.tick(),
      options.tickMs ?? 1_000,
      (error) => this.logger.error({ err: error }, "deploy worker tick failed"),
    );
    this.leaseMs = options.leaseMs ?? 30_000;
    this.batch = options.batch ?? 50;
    this.now = options.now ?? (() => new Date());
    this.prometheus = options.prometheus;
  }

  start(): void {
    this.closing = false;
    this.loop.start();
  }

  /** Waits for the tick in progress, so the database can close after it. */
  async stop(): Promise<void> {
    this.closing = true;
    await this.loop.stop();
  }

  /** One pass over the due deploys; exposed for tests that step time themselves. */
  async tick(): Promise<number> {
    const claimed = await store.claimDeploys(this.deps.db, this.owner, this.now(), this.leaseMs, this.batch);
    for (const deploy of claimed) {
      if (this.closing) {
        await store.releaseLease(this.deps.db, deploy.id, this.owner);
        continue;
      }
      try {
        await this.observe(deploy);
      } catch (error) {
        this.logger.error({ err: error, deployId: deploy.id }, "could not observe deploy");
        await store.releaseLease(this.deps.db, deploy.id, this.owner).catch(() => undefined);
      }
    }
    return claimed.length;
  }

  private async observe(leased: store.DeployRow): Promise<void> {
    const { db } = this.deps;
    const now = this.now();
    const counted = await newCounts(db, leased, now);
    const sampled =
      queryChecks(leased.guard).length === 0
        ? null
        : await sampleIntervals(this.prometheus, { ...leased, progress: leased.prometheus ?? undefined }, now);
    // Cursors move first: once the lease is lost, this replica must not add counts or samples another one also copies.
    const kept = await db.transaction(async (tx) => {
      const progress = sampled === null ? {} : { prometheus: sampled.progress };
      if (!(await store.updateLeased(tx, leased.id, this.owner, { countCursor: counted.cursor, ...progress }))) return false;
      await store.insertCounts(tx, counted.rows);
      if (sampled !== null)
        await store.insertSignals(
          tx,
          sampled.samples.map((sample) => ({ deployId: leased.id, ...sample })),
        );
      return true;
    });
    if (!kept) return this.lost(leased.id);
    const deploy = { ...leased, countCursor: counted.cursor, prometheus: sampled?.progress ?? leased.prometheus };
    const instances = deploy.flagsOff.length === 0 ? [] : await readInstances(db, deploy.environmentKey, now);
    if (deploy.flagsOff.length > 0)
      await store.insertAcks(db, newAcks(deploy.id, deploy.flagsOff, instances, await store.listAcks(db, deploy.id)));
    const decideAt = sampled?.decideAt ?? now;
    if (!needsDecision(deploy, decideAt)) return void (await store.releaseLease(db, deploy.id, this.owner));
    const decided = decide(await decisionInput(db, deploy, instances, decideAt));
    const applied = await this.apply(deploy, decided.actions);
    if (applied === null) return this.lost(deploy.id);
    const { flagsOff, refused } = applied;
    const decision = withSourceProblem(refused.length === 0 ? decided : unableToDisable(decided, refused), deploy.prometheus);
    // A new status and its webhook delivery commit together: no decision is stored without one.
    const stored = await db.transaction(async (tx) => {
      if (
        !(await store.updateLeased(
          tx,
          deploy.id,
          this.owner,
          { decision, status: decision.status, final: decision.final, decidedAt: now, flagsOff },
          true,
        ))
      )
        return false;
      // A rehearsal's breach is practice: no pipeline is told to roll back.
      if (decision.status !== deploy.status && deploy.rehearsalId === null) await queueDecisionWebhook(tx, deploy, decision, now);
      return true;
    });
    if (!stored) return this.lost(deploy.id);
    this.report(deploy, decision);
  }

  /**
   * Turns flags off as the admin API would, never blocked by an approval. Each flag-off is
   * stored as soon as it is written, so the engine sees it (and stops asking) even if this
   * replica dies right after; a flag already recorded off is never written again.
   */
  private async apply(
    deploy: store.DeployRow,
    actions: DisableFlagAction[],
  ): Promise<{ flagsOff: StoredFlagOff[]; refused: Refusal[] } | null> {
    const flagsOff = [...deploy.flagsOff];
    const refused: Refusal[] = [];
    if (deploy.guard.onBreach !== BreachResponses.disableFlags) return { flagsOff, refused };
    // A rehearsal's flag-off is audited as one: the actor and the comment name it.
    const by = deploy.rehearsalId === null ? `deploy ${deploy.id}` : `rehearsal ${deploy.rehearsalId} (deploy ${deploy.id})`;
    const actor: Actor = { tokenId: null, name: by };
    for (const action of actions) {
      if (action.type !== "disable-flag" || flagsOff.some((off) => off.flag === action.flag)) continue;
      const comment = `${by}: ${action.detail}`.slice(0, COMMENT_MAX);
      const written = await patchFlagConfig(
        this.deps,
        actor,
        action.flag,
        deploy.environmentKey,
        { enabled: false },
        { comment, deployId: deploy.id },
      );
      if (!written.ok) {
        this.logger.warn({ deployId: deploy.id, flag: action.flag, error: written.error.message }, "deploy could not turn a flag off");
        refused.push({ flag: action.flag, message: written.error.message });
        continue;
      }
      const seq = await store.latestConfigSeq(this.deps.db, deploy.environmentKey, action.flag);
      flagsOff.push({ flag: action.flag, disabledAt: this.now().toISOString(), configVersion: written.value.version, seq });
      if (!(await store.updateLeased(this.deps.db, deploy.id, this.owner, { flagsOff }))) return null;
      this.logger.warn(
        { deployId: deploy.id, flag: action.flag, version: written.value.version, reason: action.reason },
        "deploy turned a flag off",
      );
    }
    return { flagsOff, refused };
  }

  private lost(id: string): void {
    this.logger.warn({ deployId: id }, "deploy lease expired before the tick finished; another replica continues");
  }

  /** Each new status (a decision) is logged; its webhook delivery was queued with it (see `WebhookDispatcher`). */
  private report(deploy: store.DeployRow, decision: DeployDecision): void {
    if (decision.status === deploy.status) return;
    this.logger.info(
      { deployId: deploy.id, service: deploy.service, version: deploy.version, status: decision.status },
      decision.evidence.summary,
    );
  }
}

/**
 * While a deploy is only observing, the engine judges completed intervals alone: until another
 * one completes, deciding again would reload every sample to reach the same decision. Samples,
 * counts and acknowledgements are still copied every tick; a deploy that has turned a flag off
 * (acknowledgements and timeouts move within an interval) is decided every tick.
 */
export function needsDecision(deploy: Pick<store.DeployRow, "decision" | "flagsOff" | "createdAt" | "guard">, at: Date): boolean {
  const previous = deploy.decision;
  if (previous === null || previous.status !== DeployStatuses.observing || deploy.flagsOff.length > 0) return true;
  const completed = intervalsCompleted(deploy.createdAt.getTime(), deploy.guard.intervalSeconds * 1000, at.getTime());
  return completed !== previous.evidence.window.completed;
}

/** Too few samples because Prometheus failed: say so, or the summary reads as if traffic was low. */
function withSourceProblem(decision: DeployDecision, progress: PrometheusProgress | null): DeployDecision {
  const problem = progress?.lastProblem;
  if (decision.status !== DeployStatuses.inconclusive || problem == null) return decision;
  const summary = `${decision.evidence.summary}; the last Prometheus query for ${problem.signal} gave no sample: ${problem.message}`;
  return { ...decision, evidence: { ...decision.evidence, summary } };
}

interface Refusal {
  flag: string;
  message: string;
}

/**
 * The write path refused a flag-off (the flag was archived or deleted since the deploy started):
 * the engine would wait for it forever, and nothing cheaper than a rollback is left.
 */
function unableToDisable(decision: DeployDecision, refused: Refusal[]): DeployDecision {
  const why = refused.map((r) => `${r.flag} could not be turned off (${r.message})`).join("; ");
  const summary = decision.evidence.summary.replace(/^[a-z-]+: /, "");
  return {
    ...decision,
    status: DeployStatuses.rollbackRequired,
    final: true,
    actions: [],
    evidence: { ...decision.evidence, summary: `${DeployStatuses.rollbackRequired}: ${summary}; but ${why}` },
  };
}
