#!/usr/bin/env node
import { resolve } from "node:path";
import { inspect } from "node:util";
import { parseConfig } from "./config";
import { EMBEDDED_DATABASE_NOTE, printFirstStart } from "./first-start-message";
import { consoleFolder } from "./package-folders";
import { createServer } from "./server";

// The `switchyard-server` bin and `pnpm start`: settings from the environment, one server, and a
// graceful stop on SIGTERM/SIGINT.
async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`Switchyard cannot start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    process.exit(2);
  }
  const config = parsed.config;
  const server = await createServer(config, { consoleDir: consoleFolder });
  const { url, port } = await server.listen();
  const { logger, database, bus } = server;
  const dataDir = database.kind === "embedded" ? resolve(config.dataDir) : undefined;
  logger.info(
    { port, host: config.host, database: database.kind, bus: bus.kind, prometheus: config.prometheusUrl, dataDir },
    "switchyard listening",
  );
  if (dataDir !== undefined) logger.warn({ dataDir }, EMBEDDED_DATABASE_NOTE(dataDir));
  if (server.firstStart) printFirstStart(server.firstStart, url, logger, dataDir);

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down: finishing open requests");
    await server.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : inspect(error, { depth: 2 });
  process.stderr.write(`Switchyard failed to start: ${message}\n`);
  if (error instanceof Error && error.stack && process.env.LOG_LEVEL === "debug") process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
