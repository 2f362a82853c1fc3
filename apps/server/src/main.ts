import { serve, type ServerType } from "@hono/node-server";
import { resolve } from "node:path";
import { inspect } from "node:util";
import pino from "pino";
import { createApp } from "./app";
import { DeployWorker } from "./deploys/deploy-worker";
import { prometheusClient } from "./deploys/prometheus";
import { WebhookDispatcher } from "./deploys/webhook-dispatcher";
import { parseConfig, type Config } from "./config";
import { prepareDatabase, type FirstStartReport } from "./services/first-start";
import { inProcessBus } from "./bus/in-process-bus";
import { redisBus } from "./bus/redis-bus";
import { LiveState } from "./services/live-state";
import { ObservedEnvironments } from "./services/observed-environments";
import { databaseInstanceTracker } from "./services/sdk-usage";
import { SeenContextRecorder } from "./services/seen-context-recorder";
import { startTelemetryRetention } from "./services/telemetry-retention";
import { StreamHub } from "./stream/hub";
import { openDatabase } from "./store/database";

const CATCH_UP_INTERVAL_MS = 1_000;
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`Switchyard cannot start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    process.exit(2);
  }
  const config = parsed.config;
  const logger = pino({ level: config.logLevel, base: { service: "switchyard" } });

  let report: FirstStartReport | undefined;
  const database = await openDatabase(
    config.databaseUrl ? { kind: "postgres", url: config.databaseUrl } : { kind: "embedded", dataDir: resolve(config.dataDir) },
    async (db) => {
      report = await prepareDatabase(db, { adminToken: config.adminToken, demo: config.demo });
    },
  );
  const bus = config.redisUrl ? await redisBus(config.redisUrl, logger) : inProcessBus();
  const live = new LiveState(database.db, logger, bus);
  await live.load();
  live.start({ catchUpIntervalMs: CATCH_UP_INTERVAL_MS });
  const observed = new ObservedEnvironments(database.db, logger);
  const hub = new StreamHub(database.db, live, logger, { instances: databaseInstanceTracker(database.db, logger), observed });
  const prometheus = config.prometheusUrl === undefined ? undefined : prometheusClient(config.prometheusUrl);
  const deployWorker = new DeployWorker({ db: database.db, live }, logger, { prometheus });
  deployWorker.start();
  const webhooks = new WebhookDispatcher(database.db, logger);
  webhooks.start();
  const retention = startTelemetryRetention({ db: database.db, logger });
  const seenContexts = new SeenContextRecorder(database.db, logger);
  seenContexts.start();

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
    seenContexts,
  });
  const server = await listen(app.fetch, config);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    {
      port,
      host: config.host,
      database: database.kind,
      bus: bus.kind,
      prometheus: prometheus?.origin,
      dataDir: database.kind === "embedded" ? resolve(config.dataDir) : undefined,
    },
    "switchyard listening",
  );
  if (report) printFirstStart(report, `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`, logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    accepting = false;
    logger.info({ signal }, "shutting down: finishing open requests");
    const force = setTimeout(() => {
      logger.warn("open requests did not finish in time; closing anyway");
      server.closeAllConnections?.();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Open streams would keep the server from closing: end them (SDKs reconnect elsewhere).
    hub.close();
    await new Promise<void>((done) => server.close(() => done()));
    await deployWorker.stop();
    await webhooks.stop();
    await retention.stop();
    await seenContexts.stop();
    live.stop();
    await bus.close();
    await database.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

function listen(
  fetch: Parameters<typeof serve>[0]["fetch"],
  config: Config,
): Promise<ServerType & { closeAllConnections?: () => void; address(): ReturnType<import("node:net").Server["address"]> }> {
  return new Promise((done, fail) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }, () => done(server as never));
    server.on("error", fail);
  });
}

function printFirstStart(report: FirstStartReport, url: string, logger: pino.Logger): void {
  if (report.adminTokenIgnored)
    logger.warn("SWITCHYARD_ADMIN_TOKEN is ignored: admin tokens already exist (it is only used at first start)");
  if (report.generatedAdminToken === undefined) return;
  // Printed once, to the terminal: the token is stored only as a hash.
  process.stdout.write(
    [
      "",
      "  Switchyard is running on " + url + (report.seededDemo ? " with demo flags." : "."),
      "",
      "  Admin token (shown once; keep it, or set SWITCHYARD_ADMIN_TOKEN before the first start):",
      `    ${report.generatedAdminToken}`,
      "",
      "  Try:",
      `    curl -H "Authorization: Bearer ${report.generatedAdminToken}" ${url}/api/flags`,
      "",
    ].join("\n") + "\n",
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : inspect(error, { depth: 2 });
  process.stderr.write(`Switchyard failed to start: ${message}\n`);
  if (error instanceof Error && error.stack && process.env.LOG_LEVEL === "debug") process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
