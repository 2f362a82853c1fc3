import { createClient, type SwitchyardClient } from "../client";
import type { ClientEvents } from "../client-events";
import type { ClientOptions } from "../options";
import { FAKE_TOKEN, type FakeServer, type FakeServerOptions, startFakeServer } from "./fake-server";
import { type RecordingLogger, recordingLogger } from "./fixtures";

export interface Harness {
  server: FakeServer;
  logger: RecordingLogger;
  /** A client of the fake server with test-friendly delays; closed by `cleanup`. */
  client(options?: Partial<ClientOptions>): SwitchyardClient;
  cleanup(): Promise<void>;
}

/** Delays short enough for tests, long enough not to fire by accident. */
export const TEST_CLIENT_OPTIONS = {
  initialRetryDelayMs: 10,
  maxRetryDelayMs: 50,
  readyTimeoutMs: 3_000,
  heartbeatTimeoutMs: 3_000,
  pollIntervalMs: 50,
  metricsIntervalMs: 600_000,
} satisfies Partial<ClientOptions>;

export async function harness(serverOptions?: FakeServerOptions): Promise<Harness> {
  const server = await startFakeServer(serverOptions);
  const logger = recordingLogger();
  const clients: SwitchyardClient[] = [];
  return {
    server,
    logger,
    client(options = {}) {
      const client = createClient({ url: server.url, token: FAKE_TOKEN, logger, ...TEST_CLIENT_OPTIONS, ...options });
      clients.push(client);
      return client;
    },
    async cleanup() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    },
  };
}

/** Resolves with the arguments of the next `event` of `client`. */
export function nextEvent<K extends keyof ClientEvents>(client: SwitchyardClient, event: K): Promise<ClientEvents[K]> {
  return new Promise((resolve) => {
    const listener = (...args: ClientEvents[K]) => {
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}
