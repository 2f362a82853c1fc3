import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ChangeBus } from "./change-bus";

export const CHANGES_CHANNEL = "switchyard:changes";

/**
 * Redis pub/sub between replicas. Two connections (a subscribed connection cannot publish).
 * ioredis reconnects by itself; after a reconnect listeners get seq 0, which makes them catch up
 * on whatever was published while the connection was down.
 */
export async function redisBus(url: string, logger: Logger): Promise<ChangeBus> {
  const options = { maxRetriesPerRequest: null, enableOfflineQueue: false, lazyConnect: true } as const;
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
  const listeners = new Set<(seq: number) => void>();
  const notify = (seq: number) => {
    for (const listener of listeners) listener(seq);
  };
  for (const [name, connection] of [
    ["publisher", publisher],
    ["subscriber", subscriber],
  ] as const) {
    connection.on("error", (error: Error) =>
      logger.warn({ err: error, connection: name }, "redis connection error (changes still arrive by the catch-up tick)"),
    );
  }
  await Promise.all([publisher.connect(), subscriber.connect()]);
  await subscriber.subscribe(CHANGES_CHANNEL);
  // Registered after the first connect, so every "ready" from here on is a reconnect. Subscribe
  // (idempotent) before catching up: a change published after the catch-up read is then heard.
  subscriber.on("ready", () => {
    logger.info("redis reconnected; catching up from the change log");
    subscriber
      .subscribe(CHANGES_CHANNEL)
      .catch((error: unknown) => logger.warn({ err: error }, "could not resubscribe to redis"))
      .finally(() => notify(0));
  });
  subscriber.on("message", (channel: string, message: string) => {
    if (channel !== CHANGES_CHANNEL) return;
    const seq = Number(message);
    if (Number.isSafeInteger(seq)) notify(seq);
  });
  return {
    kind: "redis",
    publish(seq) {
      publisher
        .publish(CHANGES_CHANNEL, String(seq))
        .catch((error: unknown) => logger.warn({ err: error }, "could not publish a change to redis"));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
