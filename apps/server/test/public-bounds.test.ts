import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ObservedEnvironments } from "../src/services/observed-environments";
import { MAX_EVENT_NAMES } from "../src/services/sdk-usage";
import { readEventCounts } from "../src/store/sdk-usage";
import { startTestServer, type TestServer } from "./harness";

// What a public (client) token, or anyone without one, can make the server hold is bounded.
describe("public endpoints are bounded", () => {
  let server: TestServer;
  let clientToken: string;
  beforeAll(async () => {
    server = await startTestServer("embedded");
    clientToken = await server.token("client", "staging");
  });
  afterAll(() => server?.close());

  it("keeps counts for at most MAX_EVENT_NAMES event names per environment, and names it has keep counting", async () => {
    const report = (names: string[]) =>
      server.request("POST", "/api/client/metrics", {
        token: clientToken,
        body: { instanceId: "page-1", events: names.map((event) => ({ event, count: 1 })) },
      });
    const first = await report(Array.from({ length: MAX_EVENT_NAMES }, (_, i) => `made-up-${i}`));
    expect(first.status).toBe(202);
    expect(first.body.eventNamesFull).toBeUndefined();
    const over = await server.request("POST", "/api/client/metrics", {
      token: clientToken,
      body: {
        instanceId: "page-2",
        events: [
          { event: "one-too-many", count: 1 },
          { event: "made-up-0", count: 1 },
        ],
      },
    });
    expect(over.status).toBe(202);
    expect(over.body.eventNamesFull).toEqual({ limit: MAX_EVENT_NAMES, dropped: 1 });
    const names = new Set((await readEventCounts(server.database.db, "staging")).map((r) => r.event));
    expect(names.size).toBe(MAX_EVENT_NAMES);
    expect(names.has("one-too-many")).toBe(false);
  });

  it("rate-limits every /api/client request per client token, with Retry-After", async () => {
    // The production app allows 1,000 requests per second per token (burst 2,000); this one 3, then one every 10 s.
    const limited = createApp({
      db: server.database.db,
      live: server.live,
      hub: server.hub,
      observed: new ObservedEnvironments(server.database.db, pino({ level: "silent" })),
      logger: pino({ level: "silent" }),
      ping: async () => {},
      clientRateLimit: { requestsPerSecond: 0.1, burst: 3 },
    });
    const evaluate = (token: string) =>
      limited.request("/api/client/evaluate", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ context: { key: "user-1" } }),
      });
    const stream = () =>
      limited.request(`/api/client/stream?context=${Buffer.from('{"key":"u"}').toString("base64url")}`, {
        headers: { authorization: `Bearer ${clientToken}` },
      });
    expect((await evaluate(clientToken)).status).toBe(200);
    expect((await evaluate(clientToken)).status).toBe(200);
    expect((await evaluate(clientToken)).status).toBe(200);
    const refused = await evaluate(clientToken);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await refused.json()).toEqual({
      error: { code: "RATE_LIMITED", message: "Too many requests for this token; retry after 10 s" },
    });
    // Stream connects draw from the same bucket; another token has its own.
    expect((await stream()).status).toBe(429);
    const other = await server.token("client", "staging");
    expect((await evaluate(other)).status).toBe(200);
  });
});
