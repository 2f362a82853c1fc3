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

export interface RouteDeps {
  db: Db;
  live: ReadSide;
  hub: StreamHub;
  /** Which environments have a deploy observing them (SDKs there report every second). */
  observed: ObservedEnvironments;
  /** Where deploy checks with a `query` are sampled; none without `PROMETHEUS_URL`. */
  prometheus?: PrometheusSource | undefined;
  /** The rolling sample of evaluated contexts that previews read. */
  seenContexts: SeenContextRecorder;
  /** Rollback rehearsals' polling and how long they wait for the deploy worker. */
  rehearsals: RehearsalTiming;
  /** Counts an authenticated stream against its token's and address's caps (429 over either); returns its release. */
  admitStream(c: Context<AppEnv>): () => void;
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
