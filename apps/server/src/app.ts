import { type Context, Hono } from "hono";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import { AppError } from "./errors";
import type { AppEnv } from "./http/app-env";
import { authorizeFromTable } from "./http/authorize";
import { answerErrors } from "./http/error-answers";
import { limitBody } from "./http/body-size";
import { operations } from "./openapi/operations";
import type { Db } from "./store/database";
import type { ReadSide } from "./live/read-side";
import type { ObservedEnvironments } from "./services/observed-environments";
import type { StreamHub } from "./live/hub";
import type { PrometheusSource } from "./deploys/prometheus";
import type { RehearsalTiming } from "./rehearsals/rehearsal-runner";
import { SeenContextRecorder } from "./services/seen-context-recorder";
import { databaseMetricsIntake } from "./services/metrics-intake";
import { auditRoutes } from "./routes/audit";
import { clientRoutes, type ClientRouteOptions } from "./routes/client";
import { codeRefRoutes } from "./routes/code-refs";
import { consoleRoutes } from "./routes/console";
import { docsRoutes } from "./routes/docs";
import { deployRoutes } from "./routes/deploys";
import { environmentRoutes } from "./routes/environments";
import { flagRoutes } from "./routes/flags";
import { ofrepRoutes } from "./routes/ofrep";
import { operationsRoutes, processGauges } from "./routes/operations";
import { reportRoutes } from "./routes/reports";
import { rehearsalRoutes } from "./routes/rehearsals";
import { relayRoutes } from "./routes/relay";
import { clientAddress, DEFAULT_PUBLIC_LIMITS, type PublicLimits, StreamAdmission, throttleAuthFailures } from "./http/public-limits";
import { sdkRoutes } from "./routes/sdk";
import { segmentRoutes } from "./routes/segments";
import { tokenRoutes } from "./routes/tokens";

export interface AppDeps {
  db: Db;
  live: ReadSide;
  hub: StreamHub;
  observed: ObservedEnvironments;
  logger: Logger;
  ping(): Promise<void>;
  isAccepting?: () => boolean;
  prometheus?: PrometheusSource | undefined;
  /** The built console (apps/server/console), served at `/`; absent: no console, the API alone. */
  consoleDir?: string | undefined;
  /** Default: one without a timer (it flushes as contexts arrive and before each preview). */
  seenContexts?: SeenContextRecorder;
  /** Tests lower it; production uses `DEFAULT_CLIENT_METRICS_RATE_LIMIT`. */
  clientMetricsRateLimit?: ClientRouteOptions["metricsRateLimit"];
  /** Per token on `/api/client/*` and `/ofrep/*`; production: `SWITCHYARD_TOKEN_REQUESTS_PER_SECOND`. */
  clientRateLimit?: ClientRouteOptions["rateLimit"];
  /** Stream caps, the client address and the failed-authentication throttle; `DEFAULT_PUBLIC_LIMITS` unless set. */
  publicLimits?: Partial<PublicLimits>;
  /** Rollback rehearsals' polling and patience; defaults unless set. */
  rehearsals?: RehearsalTiming | undefined;
}

function gauges(deps: AppDeps) {
  const streams = deps.hub.counts;
  return [
    { name: "switchyard_open_streams", help: "Open SSE streams on this replica", labels: { kind: "sdk" }, value: streams.sdk },
    { name: "switchyard_open_streams", help: "Open SSE streams on this replica", labels: { kind: "client" }, value: streams.client },
    { name: "switchyard_open_streams", help: "Open SSE streams on this replica", labels: { kind: "ofrep" }, value: streams.ofrep },
    {
      name: "switchyard_applied_change_seq",
      help: "The last change-log sequence number this replica applied",
      value: deps.live.appliedSeq,
    },
    ...processGauges(),
  ];
}

const ROUTINE_PATHS = /^\/(?:api\/sdk\/|api\/client\/|api\/relay\/|ofrep\/|healthz$|readyz$|metrics$)/;

/** Builds the HTTP app. No side effects: main.ts wires it to a port, tests call app.request(). */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.use("*", requestId());
  app.use("*", async (c, next) => {
    const started = performance.now();
    c.set("logger", deps.logger);
    await next();
    // The path only: query strings may carry tokens or contexts, which never reach the logs.
    // SDK traffic and probes that succeed are routine (one line per SDK per second would bury the
    // admin changes): they log at debug; their failures and every other request at info.
    const level = c.res.status < 400 && ROUTINE_PATHS.test(c.req.path) ? "debug" : "info";
    if (deps.logger.isLevelEnabled(level)) {
      deps.logger[level](
        {
          requestId: c.get("requestId"),
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        "request",
      );
    }
  });
  app.use("/api/*", limitBody());

  // No resource name or query value may hold U+0000 (PostgreSQL cannot store it): such a URL names nothing.
  app.use("*", async (c, next) => {
    if (/%00|\0/i.test(c.req.url)) {
      throw new AppError("NOT_FOUND", "No resource has a NUL character (\\u0000) in its name");
    }
    await next();
  });

  const limits: PublicLimits = { ...DEFAULT_PUBLIC_LIMITS, ...deps.publicLimits };
  app.use("/api/*", throttleAuthFailures(limits));
  app.use("/ofrep/*", throttleAuthFailures(limits));
  // Who may call what comes from the route table alone; a route it does not declare is a 404.
  const authorize = authorizeFromTable(operations, deps.live);
  app.use("/api/*", authorize);
  app.use("/ofrep/*", authorize);

  const seenContexts = deps.seenContexts ?? new SeenContextRecorder(deps.db, deps.logger);
  const streams = new StreamAdmission(limits);
  const routeDeps = {
    db: deps.db,
    live: deps.live,
    hub: deps.hub,
    observed: deps.observed,
    prometheus: deps.prometheus,
    seenContexts,
    metrics: databaseMetricsIntake({ db: deps.db, live: deps.live, observed: deps.observed, seenContexts }),
    rehearsals: deps.rehearsals ?? {},
    admitStream: (c: Context<AppEnv>) => streams.admit(c.get("token").id, clientAddress(c, limits.trustProxy)),
  };
  app.route("/", operationsRoutes({ ping: deps.ping, isAccepting: deps.isAccepting ?? (() => true), gauges: () => gauges(deps) }));
  app.route("/", docsRoutes());
  app.route("/api/environments", environmentRoutes(routeDeps));
  app.route("/api/flags", flagRoutes(routeDeps));
  app.route("/api/segments", segmentRoutes(routeDeps));
  app.route("/api/tokens", tokenRoutes(routeDeps));
  app.route("/api/audit", auditRoutes(routeDeps));
  app.route("/api/reports", reportRoutes(routeDeps));
  app.route("/api/code-refs", codeRefRoutes(routeDeps));
  app.route("/api/deploys", deployRoutes(routeDeps));
  app.route("/api/rehearsals", rehearsalRoutes(routeDeps));
  app.route("/api/sdk", sdkRoutes(routeDeps));
  app.route("/api/relay", relayRoutes(routeDeps));
  app.route("/api/client", clientRoutes(routeDeps, { metricsRateLimit: deps.clientMetricsRateLimit, rateLimit: deps.clientRateLimit }));
  app.route("/ofrep/v1", ofrepRoutes(routeDeps, deps.clientRateLimit === undefined ? {} : { rateLimit: deps.clientRateLimit }));
  if (deps.consoleDir !== undefined) app.route("/", consoleRoutes({ dir: deps.consoleDir }));

  answerErrors(app, deps.logger);

  return app;
}
