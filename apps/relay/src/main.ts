#!/usr/bin/env node
import { inspect } from "node:util";
import { parseRelayConfig } from "./config";
import { createRelay } from "./relay";

const USAGE = `Usage:
  switchyard-relay           start a relay (settings from the environment; see the README's "Relay" section)
  switchyard-relay --help    this text

Settings:
  SWITCHYARD_URL             the Switchyard server's URL (required)
  SWITCHYARD_RELAY_TOKEN     a relay token: POST /api/tokens {"kind":"relay","environments":[...]} (required)
  SWITCHYARD_RELAY_ID        how the server names this relay in instance lists (default: the host name)
  SWITCHYARD_RELAY_BACKUP    the backup file served after a restart while the server is down
                             (default switchyard-relay-backup.json; "off": none)
  PORT, HOST                 where to listen (default 127.0.0.1:4343)
  SWITCHYARD_MAX_STREAMS_PER_TOKEN, SWITCHYARD_MAX_STREAMS_PER_ADDRESS, SWITCHYARD_TOKEN_REQUESTS_PER_SECOND,
  SWITCHYARD_TRUST_PROXY, LOG_LEVEL   as for the server
`;

async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  if (command === "--help" || command === "-h" || command === "help") return void process.stdout.write(USAGE);
  if (command !== undefined) {
    process.stderr.write(`Unknown argument '${command}'.\n\n${USAGE}`);
    process.exit(2);
  }
  const parsed = parseRelayConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`switchyard-relay cannot start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    process.exit(2);
  }
  const relay = await createRelay(parsed.config);
  const { url, port } = await relay.listen();
  relay.logger.info(
    { url, port, server: parsed.config.serverUrl, environments: relay.state.environmentKeys() },
    "switchyard-relay listening",
  );
  const shutdown = async (signal: string) => {
    relay.logger.info({ signal }, "shutting down");
    await relay.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : inspect(error, { depth: 2 });
  process.stderr.write(`switchyard-relay failed to start: ${message}\n`);
  process.exit(1);
});
