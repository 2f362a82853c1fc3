import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createScratchDatabase } from "../../../test/support/scratch-database";
import { CHANGES_CHANNEL, redisBus } from "../src/live/bus/redis-bus";
import { startTestServer, type TestServer } from "./harness";
import { SseReader } from "../../../test/support/sse-client";

const redisUrl = inject("redisUrl");
const postgresAvailable = inject("postgresUrl") !== null;

/** Two replicas on one PostgreSQL, each with its own Redis bus; their catch-up tick is a minute, so only Redis can be fast. */
describe.skipIf(redisUrl === null || !postgresAvailable)("Redis fan-out between replicas", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let a: TestServer;
  let b: TestServer;
  let sdkToken: string;
  const streams: SseReader[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const logger = pino({ level: "silent" });
    a = await startTestServer("postgres", { postgresUrl: scratch.url, bus: await redisBus(redisUrl!, logger) });
    b = await startTestServer("postgres", { postgresUrl: scratch.url, bus: await redisBus(redisUrl!, logger) });
    await a.request("POST", "/api/flags", { body: { key: "fan-out" } });
    sdkToken = await a.token("server", "production");
    await b.live.refresh(); // B learns about the token (and would by the bus anyway)
  });
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await a?.close();
    await b?.close();
    await scratch?.drop();
  });

  it("a change committed on replica A reaches a stream on replica B within milliseconds", async () => {
    const stream = new SseReader(await b.app.request("/api/sdk/stream", { headers: { authorization: `Bearer ${sdkToken}` } }));
    streams.push(stream);
    await stream.waitFor(1);
    const started = Date.now();
    await a.request("PATCH", "/api/flags/fan-out/environments/production", { body: { enabled: true } });
    await stream.waitFor(2, 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stream.json(1).flag).toMatchObject({ key: "fan-out", enabled: true });
  });

  it("after Redis drops the subscriptions, B catches up from PostgreSQL on reconnect", async () => {
    const stream = new SseReader(await b.app.request("/api/sdk/stream", { headers: { authorization: `Bearer ${sdkToken}` } }));
    streams.push(stream);
    await stream.waitFor(1);
    const admin = new Redis(redisUrl!);
    try {
      // Cut every subscriber of the channel (as a Redis restart would), then write while B is deaf.
      expect(String(await admin.call("CLIENT", "LIST", "TYPE", "pubsub"))).toContain("sub=1");
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
      await a.request("PATCH", "/api/flags/fan-out/environments/production", {
        body: { enabled: false, comment: "while the bus was down" },
      });
      await stream.waitFor(2, 10_000);
      expect(stream.json(1).flag).toMatchObject({ key: "fan-out", enabled: false });
      expect(await admin.pubsub("NUMSUB", CHANGES_CHANNEL)).toEqual([CHANGES_CHANNEL, expect.any(Number)]);
    } finally {
      admin.disconnect();
    }
  });
});
