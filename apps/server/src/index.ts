import type { Config } from "./config";
import type { Logger } from "pino";
import { type BackgroundWork, createServer as create } from "./server";
import type { FirstStartReport } from "./services/first-start";

// `@switchyard/server` as a library: the same server the `switchyard-server` bin runs, embedded in a
// process of your own (settings parsed with `parseConfig(process.env)` or written by hand).
export { type Config, type ConfigResult, parseConfig } from "./config";
export type { BackgroundWork } from "./server";
export type { FirstStartReport } from "./services/first-start";

/** A running server: its fetch handler (to mount behind another HTTP server), listen and close. */
export interface SwitchyardServer {
  /** What the first start on a new database did: the generated admin token (shown once), demo data. */
  readonly firstStart: FirstStartReport | undefined;
  fetch(request: Request): Response | Promise<Response>;
  /** Listens on `config.host`:`config.port` (0 picks a free port). */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, ends open streams, waits up to `graceMs` (10 s) for open requests, closes the database. */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface SwitchyardServerOptions {
  /** Default: pino JSON at `config.logLevel`. */
  logger?: Logger;
  /** Default: all on (change-log catch-up, deploy worker, webhook deliveries, telemetry retention). */
  background?: Partial<BackgroundWork>;
}

export async function createServer(config: Config, options?: SwitchyardServerOptions): Promise<SwitchyardServer> {
  const server = await create(config, options);
  return {
    firstStart: server.firstStart,
    fetch: (request) => server.app.fetch(request),
    listen: () => server.listen(),
    close: (closeOptions) => server.close(closeOptions),
  };
}
