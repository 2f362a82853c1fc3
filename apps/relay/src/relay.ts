import { Hono, type Context } from "hono";
import { requestId } from "hono/request-id";
import pino, { type Logger } from "pino";
import { AppError, ok } from "../../server/src/errors";
import type { AppEnv } from "../../server/src/http/app-env";
import { authorizeFromTable } from "../../server/src/http/authorize";
import { limitBody } from "../../server/src/http/body-size";
import { listenOn, type NodeServer } from "../../server/src/http/listen";
import { answerErrors } from "../../server/src/http/error-answers";
import { clientAddress, DEFAULT_PUBLIC_LIMITS, StreamAdmission, throttleAuthFailures } from "../../server/src/http/public-limits";
import { eventId } from "../../server/src/live/events/sdk-events";
import { StreamHub } from "../../server/src/live/hub";
import { metricsHint, type MetricsHint, type ObservedSource } from "../../server/src/live/metrics-hint";
import { readOperations } from "../../server/src/openapi/read-operations";
import { clientRoutes } from "../../server/src/routes/client";
import { ofrepRoutes } from "../../server/src/routes/ofrep";
import { operationsRoutes, processGauges } from "../../server/src/routes/operations";
import type { ReadRouteDeps } from "../../server/src/routes/route-deps";
import { offerReportedContexts, sdkRoutes } from "../../server/src/routes/sdk";
import { capsEachEntry, keptCounts } from "../../server/src/services/report-counts";
import { CountSources } from "../../server/src/store/count-sources";
import { BackupWriter, readBackup } from "./backup";
import type { RelayConfig } from "./config";
import { Forwarder } from "./forwarder";
import { RelayState } from "./relay-state";
import { TokenPoller } from "./token-poller";
import { UpstreamStream } from "./upstream";

/** Which environments a deploy observes, as the upstream streams and report answers last said. */
class RelayObserved implements ObservedSource {
  private readonly observed = new Set<string>();

  set(environmentKey: string, hint: MetricsHint): void {
    if (hint.reportAfterMs !== undefined) this.observed.add(environmentKey);
    else this.observed.delete(environmentKey);
  }

  async current(): Promise<ReadonlySet<string>> {
    return this.observed;
  }

  async hint(environmentKey: string): Promise<MetricsHint> {
    return metricsHint(this.observed.has(environmentKey));
  }
}

export interface RelayOptions {
  logger?: Logger;
  /** How often the token list is asked for and reports are forwarded (default 1 s each). */
  tokenPollMs?: number;
  forwardMs?: number;
  heartbeatMs?: number;
  /** How long `createRelay` waits for every environment's first state from the server (default 10 s). */
  startTimeoutMs?: number;
  /** Upstream reconnect backoff (default 250 ms doubling to 10 s, full jitter). */
  upstreamBackoff?: { initialMs: number; maxMs: number };
}

export interface RelayReadiness {
  /** Every environment's upstream stream is open and the token list was answered lately. */
  current: boolean;
  environments: Record<string, { status: string; since: string; lastEventId: string | null; version: number | null }>;
  tokens: { lastAnswerAt: string | null };
}

export interface Relay {
  readonly app: Hono<AppEnv>;
  readonly state: RelayState;
  readonly hub: StreamHub;
  readonly logger: Logger;
  readiness(): RelayReadiness;
  listen(): Promise<{ url: string; port: number }>;
  /** Ends downstream streams, forwards what is queued, writes the backup, stops. */
  close(): Promise<void>;
}

/**
 * The one wiring of a relay: upstream streams → relay state → the server's own hub, events and
 * SDK, client and OFREP routes → downstream streams; token list polled, reports forwarded, state
 * backed up. It starts serving from its backup at once when there is one.
 */
export async function createRelay(config: RelayConfig, options: RelayOptions = {}): Promise<Relay> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "switchyard-relay", relay: config.relayId } });
  const state = new RelayState();
  const observed = new RelayObserved();
  const hub = new StreamHub(state, logger, { observed, heartbeatMs: options.heartbeatMs });
  const upstreams = new Map<string, UpstreamStream>();
  let accepting = true;

  /** Whether a token list was ever had (from the server, or a backup): before that no token can be checked. */
  let tokensKnown = false;
  const backup = config.backupFile === undefined ? undefined : new BackupWriter(config.backupFile, () => state.snapshot());
  if (config.backupFile !== undefined) {
    const found = readBackup(config.backupFile);
    if (found.ok) {
      for (const snapshot of found.backup.environments) state.apply(snapshot.environment, { kind: "put", snapshot });
      state.setTokens(found.backup.tokens);
      tokensKnown = true;
      logger.info(
        { file: config.backupFile, savedAt: found.backup.savedAt, environments: state.environmentKeys() },
        "serving the backup until the server answers",
      );
    } else logger.info({ problem: found.problem }, "no backup to start from");
  }
  state.onApplied(() => backup?.schedule());

  const follow = (environment: string) => {
    if (upstreams.has(environment)) return;
    const view = state.environment(environment);
    const upstream = new UpstreamStream({
      serverUrl: config.serverUrl,
      token: config.token,
      environment,
      lastEventId: view === undefined ? undefined : eventId(view.epoch, view.version),
      onUpdate: (update) => state.apply(environment, update),
      onMetrics: (hint) => observed.set(environment, hint),
      // Every upstream hears of a token change; the poller asks once for them all.
      onTokensChanged: () => void poller.poll(),
      onRefused: (status, message) =>
        logger.error({ environment, status, message: message.slice(0, 300) }, "the server refused the upstream stream"),
      logger,
      backoff: options.upstreamBackoff,
    });
    upstreams.set(environment, upstream);
    upstream.start();
  };
  const unfollow = (environment: string) => {
    upstreams.get(environment)?.stop();
    upstreams.delete(environment);
    state.remove(environment);
  };
  // From the backup: resume those streams before the token list even answers.
  for (const environment of state.environmentKeys()) follow(environment);

  const poller = new TokenPoller({
    serverUrl: config.serverUrl,
    token: config.token,
    intervalMs: options.tokenPollMs ?? 1_000,
    logger,
    onTokens: (answer) => {
      const wanted = new Set(answer.relay.environments);
      for (const environment of [...upstreams.keys()]) if (!wanted.has(environment)) unfollow(environment);
      for (const environment of wanted) follow(environment);
      state.setTokens(answer.tokens);
      tokensKnown = true;
    },
    onRevoked: (message) => {
      // The relay's own token was deleted: nothing it serves may be served any more.
      logger.error({ message: message.slice(0, 300) }, "the server refused the relay token; every downstream token is cut off");
      for (const environment of [...upstreams.keys()]) unfollow(environment);
      state.setTokens([]);
      tokensKnown = true;
    },
  });

  const forwarder = new Forwarder({
    serverUrl: config.serverUrl,
    token: config.token,
    relayId: config.relayId,
    intervalMs: options.forwardMs ?? 1_000,
    logger,
    streams: () => state.environmentKeys().map((environment) => ({ environment, instanceIds: hub.connectedInstances(environment) })),
    onHints: (hints) => {
      for (const [environment, hint] of Object.entries(hints)) observed.set(environment, hint);
    },
  });

  const limits = {
    ...DEFAULT_PUBLIC_LIMITS,
    trustProxy: config.trustProxy,
    maxStreamsPerToken: config.maxStreamsPerToken,
    maxStreamsPerAddress: config.maxStreamsPerAddress,
  };
  const streams = new StreamAdmission(limits);
  const rateLimit = { requestsPerSecond: config.tokenRequestsPerSecond, burst: 2 * config.tokenRequestsPerSecond };
  const deps: ReadRouteDeps = {
    live: state,
    hub,
    seenContexts: { offer: (view, context, weight = 1) => forwarder.offerContext(view.key, context, weight) },
    metrics: {
      // Answered at once: the server records the report's instance and counts with the next
      // batch. Unknown flags are sorted out here (and again at the server), browser entries cut
      // to the cap each report gets; the environment's event-name cap is the server's to apply.
      async record(view, source, report) {
        const kept = keptCounts(view, report, capsEachEntry(source));
        forwarder.add({
          environment: view.key,
          source,
          instance:
            source === CountSources.server
              ? { instanceId: report.instanceId, sdk: report.sdk, version: report.version, epoch: report.epoch }
              : undefined,
          evaluations: kept.evaluations,
          events: kept.events,
        });
        offerReportedContexts(deps.seenContexts, view, report.contexts);
        return ok({
          accepted: { evaluations: kept.evaluations.length, events: kept.events.length },
          ignored: kept.ignored,
          ...(capsEachEntry(source) ? { capped: kept.capped } : {}),
        });
      },
      hint: (environmentKey) => observed.hint(environmentKey),
    },
    admitStream: (c: Context<AppEnv>) => streams.admit(c.get("token").id, clientAddress(c, limits.trustProxy)),
  };

  const readiness = (): RelayReadiness => {
    const environments: RelayReadiness["environments"] = {};
    for (const [key, upstream] of upstreams) environments[key] = { ...upstream.status, version: state.environment(key)?.version ?? null };
    const lastAnswerAt = poller.lastAnswerAt;
    const tokensFresh = lastAnswerAt !== undefined && Date.now() - lastAnswerAt < 5_000;
    const current = tokensFresh && upstreams.size > 0 && [...upstreams.values()].every((u) => u.status.status === "current");
    return { current, environments, tokens: { lastAnswerAt: lastAnswerAt === undefined ? null : new Date(lastAnswerAt).toISOString() } };
  };

  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("*", async (c, next) => {
    c.set("logger", logger);
    await next();
  });
  app.use("/api/*", limitBody());
  app.use("/api/*", throttleAuthFailures(limits));
  app.use("/ofrep/*", throttleAuthFailures(limits));
  // With no token list yet (a first start, the server unreachable, no backup) every token would
  // look unknown, and a 401 stops an SDK for good: answer 503 until the server has been heard.
  const waitForTokens = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    if (!tokensKnown && c.req.method !== "OPTIONS") {
      c.header("Retry-After", "1");
      throw new AppError("UNAVAILABLE", "The relay has not reached the server yet; retry shortly");
    }
    await next();
  };
  app.use("/api/*", waitForTokens);
  app.use("/ofrep/*", waitForTokens);
  // The server's own table, the part a relay serves: anything else under /api is a 404 here.
  const authorize = authorizeFromTable(readOperations, state);
  app.use("/api/*", authorize);
  app.use("/ofrep/*", authorize);
  // An environment of the relay's that has not arrived from the server yet (a first start with no
  // backup, the server down): 503, which SDKs retry with backoff, rather than the 404 of an unknown
  // environment, after which the Node SDK would fall back to polling.
  const waitForEnvironment = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const environment = c.get("token")?.environmentKey ?? null;
    if (environment !== null && upstreams.has(environment) && state.environment(environment) === undefined) {
      c.header("Retry-After", "1");
      throw new AppError("UNAVAILABLE", `The relay has not received environment '${environment}' from the server yet; retry shortly`);
    }
    await next();
  };
  for (const path of ["/api/sdk/*", "/api/client/*", "/ofrep/*"]) app.use(path, waitForEnvironment);
  // Ready while there is a state to serve, current or not (SDKs are better served the last known
  // flags than refused); `current` says whether it is the server's latest.
  app.get("/readyz", (c) => {
    if (!accepting) return c.json({ status: "shutting-down" }, 503);
    const ready = readiness();
    const serving = state.environmentKeys().length > 0;
    return c.json({ status: serving ? (ready.current ? "current" : "stale") : "starting", ...ready }, serving ? 200 : 503);
  });
  app.route(
    "/",
    operationsRoutes({
      ping: async () => {},
      isAccepting: () => accepting,
      gauges: () => {
        const open = hub.counts;
        const connected = [...upstreams.values()].filter((u) => u.status.status === "current").length;
        return [
          { name: "switchyard_open_streams", help: "Open SSE streams on this relay", labels: { kind: "sdk" }, value: open.sdk },
          { name: "switchyard_open_streams", help: "Open SSE streams on this relay", labels: { kind: "client" }, value: open.client },
          { name: "switchyard_open_streams", help: "Open SSE streams on this relay", labels: { kind: "ofrep" }, value: open.ofrep },
          { name: "switchyard_relay_upstreams_current", help: "Upstream streams open to the server", value: connected },
          { name: "switchyard_relay_upstreams", help: "Environments this relay serves", value: upstreams.size },
          {
            name: "switchyard_relay_reports_dropped",
            help: "Instances and count keys not kept while the server was unreachable",
            value: forwarder.dropped,
          },
          ...processGauges(),
        ];
      },
    }),
  );
  app.route("/api/sdk", sdkRoutes(deps));
  app.route("/api/client", clientRoutes(deps, { rateLimit }));
  app.route("/ofrep/v1", ofrepRoutes(deps, { rateLimit }));
  answerErrors(app, logger);

  await poller.start();
  forwarder.start();
  // Listening before the first upstream answers would turn the first SDKs away (503): give the
  // server a few seconds to send every environment (a backup, if any, is served at once anyway).
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline && [...upstreams.keys()].some((environment) => state.environment(environment) === undefined))
    await new Promise((resume) => setTimeout(resume, 50));

  let http: NodeServer | undefined;
  let closing: Promise<void> | undefined;
  const close = async () => {
    accepting = false;
    poller.stop();
    for (const upstream of upstreams.values()) upstream.stop();
    hub.close();
    const server = http;
    if (server) {
      const force = setTimeout(() => server.closeAllConnections?.(), 5_000);
      force.unref();
      await new Promise<void>((done) => server.close(() => done()));
      clearTimeout(force);
    }
    await forwarder.stop();
    backup?.write();
  };

  return {
    app,
    state,
    hub,
    logger,
    readiness,
    async listen() {
      const listening = await listenOn(app.fetch, { host: config.host, port: config.port });
      http = listening.server;
      return { url: listening.url, port: listening.port };
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
