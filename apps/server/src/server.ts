import { resolve } from "node:path";
import pino, { type Logger } from "pino";
import { createApp } from "./app";
import { listenOn, type NodeServer } from "./http/listen";
import type { ChangeBus } from "./live/bus/change-bus";
import { inProcessBus } from "./live/bus/in-process-bus";
import { redisBus } from "./live/bus/redis-bus";
import type { Config } from "./config";
import { DeployWorker, type DeployWorkerOptions } from "./deploys/deploy-worker";
import type { RehearsalTiming } from "./rehearsals/rehearsal-runner";
import { type PrometheusSource, prometheusClient } from "./deploys/prometheus";
import { WebhookDispatcher } from "./deploys/webhook-dispatcher";
import { type FirstStartReport, prepareDatabase } from "./services/first-start";
import { LiveState } from "./live/live-state";
import { ObservedEnvironments } from "./services/observed-environments";
import { databaseInstanceTracker } from "./services/sdk-usage";
import { SeenContextRecorder } from "./services/seen-context-recorder";
import { startTelemetryRetention, type TelemetryRetention } from "./services/telemetry-retention";
import { type Database, type DatabaseOptions, openDatabase } from "./store/database";
import { StreamHub } from "./live/hub";

const CATCH_UP_INTERVAL_MS = 1_000;

/** What runs in the background besides the HTTP app; a production server runs all of it. */
export interface BackgroundWork {
  /** The change-log catch-up tick (ms), or false. */
  catchUpIntervalMs: number | false;
  deployWorker: boolean;
  webhooks: boolean;
  telemetryRetention: boolean;
  /** Writing buffered seen contexts every few seconds (previews also write them before reading). */
  seenContexts: boolean;
}

export interface ServerOptions {
  /** Default: pino JSON at `config.logLevel`. */
  logger?: Logger;
  /** Default: Redis pub/sub when `config.redisUrl` is set, else in-process. */
  bus?: ChangeBus;
  /** Default: a client of `config.prometheusUrl`, when set. */
  prometheus?: PrometheusSource;
  /** Default: PostgreSQL at `config.databaseUrl`, else PGlite in `config.dataDir`. */
  database?: DatabaseOptions;
  heartbeatMs?: number;
  deployWorker?: DeployWorkerOptions;
  /** How rollback rehearsals poll and how long they wait for the deploy worker (tests shorten it). */
  rehearsals?: RehearsalTiming;
  /** Default: everything on. Tests turn parts off and drive them by hand. */
  background?: Partial<BackgroundWork>;
  /** The built console to serve at `/`; none by default (the API alone). */
  consoleDir?: string;
}

export interface Server {
  readonly app: ReturnType<typeof createApp>;
  readonly database: Database;
  readonly live: LiveState;
  readonly hub: StreamHub;
  readonly bus: ChangeBus;
  readonly deployWorker: DeployWorker;
  readonly logger: Logger;
  /** What the first start on a new database did (a generated admin token, demo data). */
  readonly firstStart: FirstStartReport | undefined;
  /** Listens on `config.host`:`config.port` (0 picks a free port). */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Stops accepting (readyz answers 503), ends open streams (SDKs reconnect elsewhere), waits
   * up to `graceMs` for open requests, then stops the background work and closes the database.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * The one wiring of a Switchyard server — store → bus → live state → streams → app → background
 * work. The `switchyard-server` bin, `pnpm start` and the test harness all call it.
 */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<Server> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "switchyard" } });
  const background: BackgroundWork = {
    catchUpIntervalMs: CATCH_UP_INTERVAL_MS,
    deployWorker: true,
    webhooks: true,
    telemetryRetention: true,
    seenContexts: true,
    ...options.background,
  };

  let firstStart: FirstStartReport | undefined;
  const database = await openDatabase(
    options.database ??
      (config.databaseUrl ? { kind: "postgres", url: config.databaseUrl } : { kind: "embedded", dataDir: resolve(config.dataDir) }),
    async (db) => {
      firstStart = await prepareDatabase(db, { adminToken: config.adminToken, demo: config.demo });
    },
  );
  const bus = options.bus ?? (config.redisUrl ? await redisBus(config.redisUrl, logger) : inProcessBus());
  const live = new LiveState(database.db, logger, bus);
  await live.load();
  if (background.catchUpIntervalMs !== false) live.start({ catchUpIntervalMs: background.catchUpIntervalMs });
  const observed = new ObservedEnvironments(database.db, logger);
  const hub = new StreamHub(live, logger, {
    instances: databaseInstanceTracker(database.db, logger),
    observed,
    heartbeatMs: options.heartbeatMs,
  });
  const prometheus = options.prometheus ?? (config.prometheusUrl === undefined ? undefined : prometheusClient(config.prometheusUrl));
  const deployWorker = new DeployWorker({ db: database.db, live }, logger, { ...options.deployWorker, prometheus });
  if (background.deployWorker) deployWorker.start();
  const webhooks = background.webhooks ? new WebhookDispatcher(database.db, logger) : undefined;
  webhooks?.start();
  const retention: TelemetryRetention | undefined = background.telemetryRetention
    ? startTelemetryRetention({ db: database.db, logger })
    : undefined;

  const seenContexts = new SeenContextRecorder(database.db, logger);
  if (background.seenContexts) seenContexts.start();

  let accepting = true;
  const app = createApp({
    db: database.db,
    live,
    hub,
    observed,
    logger,
    ping: () => database.ping(),
    isAccepting: () => accepting,
    prometheus,
    consoleDir: options.consoleDir,
    seenContexts,
    rehearsals: options.rehearsals,
    ...(config.tokenRequestsPerSecond === undefined
      ? {}
      : { clientRateLimit: { requestsPerSecond: config.tokenRequestsPerSecond, burst: 2 * config.tokenRequestsPerSecond } }),
    publicLimits: {
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
      ...(config.maxStreamsPerToken === undefined ? {} : { maxStreamsPerToken: config.maxStreamsPerToken }),
      ...(config.maxStreamsPerAddress === undefined ? {} : { maxStreamsPerAddress: config.maxStreamsPerAddress }),
    },
  });

  let http: NodeServer | undefined;
  let closing: Promise<void> | undefined;

  const close = async (graceMs: number) => {
    accepting = false;
    const server = http;
    let force: NodeJS.Timeout | undefined;
    if (server) {
      force = setTimeout(() => {
        logger.warn("open requests did not finish in time; closing anyway");
        server.closeAllConnections?.();
      }, graceMs);
      force.unref();
    }
    // Open streams would keep the server from closing: end them (SDKs reconnect elsewhere).
    hub.close();
    if (server) await new Promise<void>((done) => server.close(() => done()));
    clearTimeout(force);
    await deployWorker.stop();
    await webhooks?.stop();
    await retention?.stop();
    await seenContexts.stop();
    live.stop();
    await bus.close();
    await database.close();
  };

  return {
    app,
    database,
    live,
    hub,
    bus,
    deployWorker,
    logger,
    firstStart,
    async listen() {
      const listening = await listenOn(app.fetch, { host: config.host, port: config.port });
      http = listening.server;
      return { url: listening.url, port: listening.port };
    },
    close(closeOptions = {}) {
      closing ??= close(closeOptions.graceMs ?? 10_000);
      return closing;
    },
  };
}
