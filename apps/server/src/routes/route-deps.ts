import type { Context } from "hono";
import { AppError } from "../errors";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import type { AppEnv } from "../http/app-env";
import type { EnvironmentView } from "../live/live-state";
import type { ReadSide } from "../live/read-side";
import type { ObservedEnvironments } from "../services/observed-environments";
import type { StreamHub } from "../live/hub";
import type { PrometheusSource } from "../deploys/prometheus";
import type { SeenContextRecorder } from "../services/seen-context-recorder";
import type { RehearsalTiming } from "../rehearsals/rehearsal-runner";
import type { Result } from "../errors";
import type { MetricsHint } from "../live/metrics-hint";
import type { MetricsReceipt } from "../services/sdk-usage";
import type { CountSource } from "../store/schema";
import type { SdkMetricsReport } from "./sdk";

/** A rolling sample of evaluated contexts: the server's recorder, or a relay forwarding it upstream. */
export type ContextSample = Pick<SeenContextRecorder, "offer">;

/** Where SDK and browser metrics reports go: the server records them, a relay forwards them. */
export interface MetricsIntake {
  /** Records or forwards one report, and offers its contexts to the sample; answers the receipt. */
  record(view: EnvironmentView, source: CountSource, report: SdkMetricsReport): Promise<Result<MetricsReceipt>>;
  /** What this environment's SDKs are asked of their report cadence now. */
  hint(environmentKey: string): Promise<MetricsHint>;
}

/**
 * What the SDK, client and OFREP routes use — all of it served from memory, so a relay
 * (apps/relay) serves those routes with its own implementations.
 */
export interface ReadRouteDeps {
  live: ReadSide;
  hub: StreamHub;
  /** The rolling sample of evaluated contexts that previews read. */
  seenContexts: ContextSample;
  metrics: MetricsIntake;
  /** Counts an authenticated stream against its token's and address's caps (429 over either); returns its release. */
  admitStream(c: Context<AppEnv>): () => void;
}

export interface RouteDeps extends ReadRouteDeps {
  db: Db;
  /** Which environments have a deploy observing them (SDKs there report every second). */
  observed: ObservedEnvironments;
  /** Where deploy checks with a `query` are sampled; none without `PROMETHEUS_URL`. */
  prometheus?: PrometheusSource | undefined;
  /** The server's recorder: previews flush it before they read. */
  seenContexts: SeenContextRecorder;
  /** Rollback rehearsals' polling and how long they wait for the deploy worker. */
  rehearsals: RehearsalTiming;
}

export function actorOf(c: Context<AppEnv>): Actor {
  const token = c.get("token");
  return { tokenId: token.id, name: token.name };
}

/** The environment an SDK, client or deploy token belongs to, as this replica serves it. */
export function tokenEnvironment(c: Context<AppEnv>, live: Pick<ReadSide, "environment">): EnvironmentView {
  const envKey = c.get("token").environmentKey;
  const view = envKey === null ? undefined : live.environment(envKey);
  if (!view) throw new AppError("NOT_FOUND", `The token's environment '${envKey ?? "?"}' does not exist`);
  return view;
}
