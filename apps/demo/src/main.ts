import type { SwitchyardClient } from "@switchyard/sdk-node";
import { createCheckout } from "./checkout";
import { CheckoutStats, difference } from "./checkout-stats";
import { parseConfig, type DemoConfig } from "./config";
import { demoStatus, statusLine } from "./demo-status";
import { FailureModel, describeMode, type FailureMode } from "./failure-model";
import { startFlagClient } from "./flag-client";
import { DEMO_HOST, listen } from "./http-listener";
import { renderMetrics } from "./metrics-text";
import { handle } from "./routes";
import { deleteCreatedToken, serverToken } from "./server-token";
import { StartupError } from "./startup-error";
import { listenForKeys } from "./terminal-keys";
import { startTraffic } from "./traffic";

/** How often the one-line status is printed, and the span `GET /` calls "recent". */
const STATUS_EVERY_SECONDS = 5;
const RECENT_SECONDS = 2;

const out = (line: string) => void process.stdout.write(`${line}\n`);
const err = (line: string) => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok)
    throw new StartupError(`The demo cannot start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}`);
  const { config } = parsed;
  for (const note of parsed.notes) err(note);

  const token = await serverToken(config);
  if (token.created !== null)
    out(
      `Created server token ${token.created.name} (${token.created.id}) for ${token.created.environment} with the admin token; it is deleted when the demo stops.`,
    );
  // A start that fails after creating the token must not leave it behind.
  const abandon = async (error: unknown, flags?: SwitchyardClient): Promise<never> => {
    await flags?.close();
    const deleted = await deleteCreatedToken(config, token);
    if (deleted !== "") err(deleted);
    throw error;
  };
  const flags = await startFlagClient(config, token.token, err).catch((error: unknown) => abandon(error));

  const model = new FailureModel();
  const stats = new CheckoutStats();
  const checkout = createCheckout({ flags, flag: config.flag, model, stats, track: config.track });
  const setMode = (mode: FailureMode) => {
    if (model.mode !== mode) out(`mode → ${describeMode(mode)}`);
    model.mode = mode;
  };
  const status = () =>
    demoStatus({
      mode: model.mode,
      flag: config.flag,
      requestsPerSecond: config.requestsPerSecond,
      track: config.track,
      totals: stats.total(),
      recent: stats.recent(RECENT_SECONDS, Date.now()),
      configVersion: flags.configVersion(),
      dataAgeMs: flags.dataAgeMs(),
    });
  const routes = { status, metrics: () => renderMetrics(stats.total()), checkout, mode: () => model.mode, setMode };
  const listener = await listen(config.port, (request) => handle(request, routes)).catch((error: unknown) => abandon(error, flags));
  const stopTraffic = startTraffic(config.requestsPerSecond, checkout);
  const demoUrl = `http://${DEMO_HOST}:${listener.port}`;
  const stopKeys = listenForKeys((action) => (action === "quit" ? void shutdown("q") : setMode(action)));
  printBanner(config, demoUrl, flags.configVersion(), stopKeys !== null);

  let previous = stats.total();
  const statusTimer = setInterval(() => {
    const now = stats.total();
    out(statusLine(new Date(), model.mode, config.flag, STATUS_EVERY_SECONDS, difference(now, previous), flags.configVersion()));
    previous = now;
  }, STATUS_EVERY_SECONDS * 1000);

  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    out(`Stopping (${why}): closing the HTTP server and sending the last SDK metrics…`);
    stopKeys?.();
    clearInterval(statusTimer);
    stopTraffic();
    await listener.close();
    // close() sends the last metrics period, so the server counts every request the demo served.
    await flags.close();
    const deleted = await deleteCreatedToken(config, token);
    if (deleted !== "") out(deleted);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

function printBanner(config: DemoConfig, url: string, configVersion: number | undefined, keys: boolean): void {
  const lines = [
    "",
    `  Demo checkout service on ${url}: ${config.requestsPerSecond} synthetic checkouts/s, each a random user,`,
    `  taking the new checkout path when ${config.flag} is on for them (config version ${configVersion ?? "?"}).`,
    `  SDK track(): ${config.track ? "request and error events, reported every second" : "off (DEMO_TRACK=false): only /metrics counts errors"}.`,
    "",
    `  Break the new path:   curl -X POST ${url}/break/flagged       (it fails 20%, the old path 0.5%)`,
    `  Break everything:     curl -X POST ${url}/break/everything    (both paths fail 20%)`,
    `  Repair:               curl -X POST ${url}/repair`,
    `  Status, metrics:      curl ${url}/    curl ${url}/metrics`,
    `  One checkout:         curl ${url}/checkout?user=user-42`,
    ...(keys ? ["  Keys:                 f flagged, e everything, r repair, q quit"] : []),
    "",
  ];
  out(lines.join("\n"));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) err(error.message);
  else err(`The demo failed: ${error instanceof Error ? (process.env.DEBUG ? error.stack : error.message) : String(error)}`);
  process.exit(1);
});
