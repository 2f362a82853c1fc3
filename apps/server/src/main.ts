#!/usr/bin/env node
import { resolve } from "node:path";
import { inspect } from "node:util";
import { type Config, parseConfig } from "./config";
import { EMBEDDED_DATABASE_NOTE, printFirstStart } from "./first-start-message";
import { consoleFolder } from "./package-folders";
import { recoverAdminAccess } from "./recover-admin";
import { createServer } from "./server";

const USAGE = `Usage:
  switchyard-server                              start the server (settings from the environment; see the README)
  switchyard-server recover-admin [--name NAME]  create an admin token and print it once, for when every admin
                                                 token is lost; run it on the server's machine with the server's
                                                 settings (DATABASE_URL or SWITCHYARD_DATA_DIR; stop an embedded
                                                 server first)
  switchyard-server --help                       this text
`;

// The `switchyard-server` bin and `pnpm start`: settings from the environment, one server, and a
// graceful stop on SIGTERM/SIGINT.
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") return void process.stdout.write(USAGE);
  if (command !== undefined && command !== "recover-admin") {
    process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}`);
    process.exit(2);
  }
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`Switchyard cannot start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    process.exit(2);
  }
  const config = parsed.config;
  if (command === "recover-admin") return recoverAdmin(config, rest);
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

async function recoverAdmin(config: Config, args: string[]): Promise<void> {
  let name = "recovered admin";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--name" && args[i + 1] !== undefined && args[i + 1]!.trim() !== "") name = args[++i]!.trim();
    else {
      process.stderr.write(`recover-admin: unexpected argument '${args[i]}'.\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const token = await recoverAdminAccess(config, { name });
  process.stdout.write(
    [
      `Created admin token '${token.name}' (id ${token.id}); it is shown once, keep it:`,
      `  ${token.token}`,
      "Running servers accept it within a second. Delete lost tokens with DELETE /api/tokens/:id.",
      "",
    ].join("\n"),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : inspect(error, { depth: 2 });
  process.stderr.write(`Switchyard failed to start: ${message}\n`);
  if (error instanceof Error && error.stack && process.env.LOG_LEVEL === "debug") process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
