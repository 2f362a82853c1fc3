import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ObservedEnvironments } from "../src/services/observed-environments";
import { MAX_EVENT_NAMES } from "../src/services/sdk-usage";
import { readEventCounts } from "../src/store/sdk-usage";
import { startTestServer, type TestServer } from "./harness";
import { eventually } from "../../../test/support/eventually";

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

  const appWith = (publicLimits: Parameters<typeof createApp>[0]["publicLimits"]) =>
    createApp({
      db: server.database.db,
      live: server.live,
      hub: server.hub,
      observed: new ObservedEnvironments(server.database.db, pino({ level: "silent" })),
      logger: pino({ level: "silent" }),
      ping: async () => {},
      publicLimits,
    });

  it("caps open streams per token and per address, and frees a place when a stream ends", async () => {
    const app = appWith({ maxStreamsPerToken: 2, maxStreamsPerAddress: 3, trustProxy: true });
    const [a, b, c] = [clientToken, await server.token("client", "staging"), await server.token("server", "staging")];
    const open: Array<{ res: Response; abort: AbortController }> = [];
    const connect = async (
      token: string,
      address: string,
      path = `/api/client/stream?context=${Buffer.from('{"key":"u"}').toString("base64url")}`,
    ) => {
      const abort = new AbortController();
      const res = await app.request(path, {
        headers: { authorization: `Bearer ${token}`, "x-forwarded-for": `203.0.113.9, ${address}` },
        signal: abort.signal,
      });
      if (res.status === 200) open.push({ res, abort });
      return res;
    };
    try {
      expect((await connect(a, "198.51.100.1")).status).toBe(200);
      expect((await connect(a, "198.51.100.1")).status).toBe(200);
      const overToken = await connect(a, "198.51.100.2");
      expect(overToken.status).toBe(429);
      expect(((await overToken.json()) as { error: { message: string } }).error.message).toContain("This token already has 2 open streams");
      expect((await connect(b, "198.51.100.1")).status).toBe(200);
      // SDK streams count against the same address.
      const overAddress = await connect(c, "198.51.100.1", "/api/sdk/stream");
      expect(overAddress.status).toBe(429);
      expect(((await overAddress.json()) as { error: { message: string } }).error.message).toContain(
        "This address already has 3 open streams",
      );
      expect((await connect(c, "198.51.100.7", "/api/sdk/stream")).status).toBe(200);

      const first = open.shift()!;
      first.abort.abort();
      await first.res.body?.cancel().catch(() => {});
      await eventually(
        async () => (await connect(a, "198.51.100.3")).status,
        (status) => status === 200,
        5_000,
      );
    } finally {
      for (const stream of open) {
        stream.abort.abort();
        await stream.res.body?.cancel().catch(() => {});
      }
    }
  });

  it("throttles failed authentication per address: after the budget, requests with a token get 429 there", async () => {
    const app = appWith({ authFailures: { requestsPerSecond: 0.1, burst: 3 }, trustProxy: true });
    const get = (token: string, address: string) =>
      app.request("/api/flags", { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": address } });
    for (let i = 0; i < 3; i++) expect((await get(`sy_admin_guess_${i}_0123456789abcdef0123456789`, "192.0.2.50")).status).toBe(401);
    const throttled = await get(server.adminToken, "192.0.2.50");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("10");
    expect(((await throttled.json()) as { error: { message: string } }).error.message).toBe(
      "Too many failed authentications from this address; retry after 10 s",
    );
    // Another address is not affected.
    expect((await get(server.adminToken, "192.0.2.51")).status).toBe(200);
  });
});
