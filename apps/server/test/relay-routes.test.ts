import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/auth/token-secrets";
import { readEventId } from "../src/live/events/sdk-events";
import { readEvaluationCounts, readEventCounts } from "../src/store/sdk-usage";
import { SseReader } from "../../../test/support/sse-client";
import { backends, startTestServer, type TestServer } from "./harness";

const seqOf = (id: string | undefined): number => readEventId(id)?.seq ?? Number.NaN;

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`relay endpoints on ${backend.name}`, () => {
    let server: TestServer;
    let relay: { id: string; token: string };
    const open: SseReader[] = [];
    const relayStream = async (env: string, headers: Record<string, string> = {}, token = relay.token) => {
      const reader = new SseReader(
        await server.app.request(`/api/relay/environments/${env}/stream`, { headers: { authorization: `Bearer ${token}`, ...headers } }),
      );
      open.push(reader);
      return reader;
    };
    const report = (body: unknown) => server.request("POST", "/api/relay/reports", { token: relay.token, body });
    const instances = async (env: string) =>
      (await server.request("GET", `/api/environments/${env}/instances`)).body.instances as Array<Record<string, unknown>>;
    const instance = async (env: string, id: string) => (await instances(env)).find((i) => i.instanceId === id);
    /** Evaluation counts of an environment, `flag/variation` → count, all hours together. */
    const counted = async (env: string) => {
      const sums: Record<string, number> = {};
      for (const row of await readEvaluationCounts(server.database.db, env))
        sums[`${row.flagKey}/${row.variation}`] = (sums[`${row.flagKey}/${row.variation}`] ?? 0) + row.count;
      return sums;
    };

    beforeAll(async () => {
      server = await startTestServer(backend.name, { heartbeatMs: 100 });
      await server.request("POST", "/api/flags", { body: { key: "relayed-flag" } });
      await server.request("POST", "/api/environments", { body: { key: "dev" } });
      const created = await server.request("POST", "/api/tokens", {
        body: { kind: "relay", name: "edge-eu", environments: ["production", "staging"] },
      });
      relay = { id: created.body.id, token: created.body.token };
    });
    afterAll(async () => {
      await Promise.all(open.map((r) => r.close()));
      await server?.close();
    });

    it("serves each of its environments' flags exactly as the SDK endpoint does, with ETag and 304", async () => {
      const serverToken = await server.token("server", "staging");
      const direct = await server.request("GET", "/api/sdk/flags", { token: serverToken });
      const relayed = await server.request("GET", "/api/relay/environments/staging/flags", { token: relay.token });
      expect({ status: relayed.status, etag: relayed.headers.get("etag"), cache: relayed.headers.get("cache-control") }).toEqual({
        status: 200,
        etag: direct.headers.get("etag"),
        cache: "no-cache",
      });
      expect(relayed.body).toEqual(direct.body);
      const again = await server.request("GET", "/api/relay/environments/staging/flags", {
        token: relay.token,
        headers: { "if-none-match": relayed.headers.get("etag") ?? "" },
      });
      expect(again.status).toBe(304);
      const other = await server.request("GET", "/api/relay/environments/dev/flags", { token: relay.token });
      expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 403, code: "FORBIDDEN" });
    });

    it("refuses relay tokens on the SDK, client and OFREP endpoints", async () => {
      for (const [method, path] of [
        ["GET", "/api/sdk/flags"],
        ["POST", "/api/client/evaluate"],
        ["POST", "/ofrep/v1/evaluate/flags"],
      ] as const) {
        const res = await server.request(method, path, {
          token: relay.token,
          ...(method === "POST" ? { body: { context: { key: "u" } } } : {}),
        });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
    });

    it("streams an environment: a toggle arrives, and Last-Event-ID resumes with only what was missed", async () => {
      const stream = await relayStream("production");
      const [put] = await stream.waitFor(1);
      expect(put?.event).toBe("put");
      expect(stream.json(0)).toMatchObject({ environment: "production" });
      await server.request("PATCH", "/api/flags/relayed-flag/environments/production", { body: { enabled: true } });
      const [, patch] = await stream.waitFor(2);
      expect({ event: patch?.event, flag: stream.json(1).flag.key, enabled: stream.json(1).flag.enabled }).toEqual({
        event: "patch",
        flag: "relayed-flag",
        enabled: true,
      });
      await stream.close();

      await server.request("PATCH", "/api/flags/relayed-flag/environments/production", { body: { enabled: false } });
      const resumed = await relayStream("production", { "last-event-id": patch?.id ?? "" });
      const [missed] = await resumed.waitFor(1);
      expect(missed?.event).toBe("patch");
      expect(seqOf(missed?.id)).toBeGreaterThan(seqOf(patch?.id));
      expect(resumed.json(0).flag).toMatchObject({ key: "relayed-flag", enabled: false });
      // The query parameter resumes too (for clients that cannot set headers).
      const byQuery = new SseReader(
        await server.app.request(`/api/relay/environments/production/stream?lastEventId=${encodeURIComponent(missed?.id ?? "")}`, {
          headers: { authorization: `Bearer ${relay.token}` },
        }),
      );
      open.push(byQuery);
      await byQuery.waitUntil(() => byQuery.comments.includes("heartbeat"), 2_000);
      expect(byQuery.messages).toEqual([]);
    });

    it("tells its streams, not SDK streams, when a token is made or deleted, so the relay asks for the list at once", async () => {
      const upstream = await relayStream("staging");
      await upstream.waitFor(1);
      const sdk = new SseReader(
        await server.app.request("/api/sdk/stream", { headers: { authorization: `Bearer ${await server.token("server", "staging")}` } }),
      );
      open.push(sdk);
      await sdk.waitFor(1);
      const tokensEvents = (reader: SseReader) => reader.messages.filter((m) => m.event === "tokens");
      const before = tokensEvents(upstream).length;
      const made = await server.request("POST", "/api/tokens", { body: { kind: "client", name: "notice", environment: "staging" } });
      await upstream.waitUntil(() => tokensEvents(upstream).length > before, 2_000);
      await server.request("DELETE", `/api/tokens/${made.body.id}`);
      await upstream.waitUntil(() => tokensEvents(upstream).length > before + 1, 2_000);
      expect(tokensEvents(upstream).at(-1)).toMatchObject({ event: "tokens", data: "{}" });
      expect(tokensEvents(sdk)).toEqual([]);
    });

    it("lists the hashes of its environments' server and client tokens, with an ETag, and drops a deleted one", async () => {
      const client = await server.request("POST", "/api/tokens", { body: { kind: "client", name: "web", environment: "production" } });
      await server.request("POST", "/api/tokens", { body: { kind: "client", name: "dev web", environment: "dev" } });
      await server.request("POST", "/api/tokens", { body: { kind: "deploy", name: "pipeline", environment: "production" } });
      const listed = await server.request("GET", "/api/relay/tokens", { token: relay.token });
      expect(listed.status).toBe(200);
      expect(listed.headers.get("cache-control")).toBe("no-cache");
      expect(listed.body.relay).toEqual({ id: relay.id, name: "edge-eu", environments: ["production", "staging"] });
      const all = (await server.request("GET", "/api/tokens")).body.tokens as Array<{
        id: string;
        name: string;
        kind: string;
        environment: string;
      }>;
      const served = all
        .filter((t) => (t.kind === "server" || t.kind === "client") && (t.environment === "production" || t.environment === "staging"))
        .map((t) => ({ id: t.id, name: t.name, kind: t.kind, environment: t.environment }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(listed.body.tokens.map(({ hash: _hash, ...rest }: { hash: string }) => rest)).toEqual(served);
      expect(listed.body.tokens.find((t: { id: string }) => t.id === client.body.id).hash).toBe(hashToken(client.body.token));
      expect(JSON.stringify(listed.body)).not.toContain("sy_");

      const etag = listed.headers.get("etag") ?? "";
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      const unchanged = await server.request("GET", "/api/relay/tokens", { token: relay.token, headers: { "if-none-match": etag } });
      expect(unchanged.status).toBe(304);

      await server.request("DELETE", `/api/tokens/${client.body.id}`);
      const after = await server.request("GET", "/api/relay/tokens", { token: relay.token, headers: { "if-none-match": etag } });
      expect(after.status).toBe(200);
      expect(after.headers.get("etag")).not.toBe(etag);
      expect(after.body.tokens.map((t: { id: string }) => t.id)).not.toContain(client.body.id);
    });

    it("records a batch: each instance's served version as an acknowledgement naming the relay, and the summed counts", async () => {
      const flags = await server.request("GET", "/api/relay/environments/production/flags", { token: relay.token });
      const { version, epoch } = flags.body;
      const before = await counted("staging");
      const res = await report({
        relayId: "relay-eu-1",
        instances: [
          { environment: "production", instanceId: "api-1", sdk: "switchyard-node/0.1.0", version, epoch },
          // Another database history's version acknowledges nothing.
          { environment: "production", instanceId: "api-old", version: version + 1000, epoch: "000000000000" },
        ],
        evaluations: [
          { environment: "staging", source: "server", flag: "relayed-flag", variation: 0, count: 3 },
          // Summed from many browsers, so past one browser report's cap of 100.
          { environment: "staging", source: "browser", flag: "relayed-flag", variation: 1, count: 250 },
          { environment: "staging", source: "server", flag: "no-such-flag", variation: 0, count: 9 },
        ],
        events: [{ environment: "staging", source: "browser", event: "purchase", flag: "relayed-flag", variation: 1, count: 12 }],
        streams: [],
        contexts: [{ environment: "production", context: { key: "u-1", country: "NL" }, count: 2 }],
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        accepted: { instances: 2, evaluations: 2, events: 1, streams: 0, contexts: 1 },
        ignored: { evaluations: 1, events: 0 },
        hints: { production: {}, staging: {} },
      });
      expect(await instance("production", "api-1")).toMatchObject({ ackedVersion: version, relayId: "relay-eu-1", connected: false });
      expect(await instance("production", "api-old")).toMatchObject({ ackedVersion: null, relayId: "relay-eu-1" });
      expect(await counted("staging")).toEqual({
        ...before,
        "relayed-flag/0": (before["relayed-flag/0"] ?? 0) + 3,
        "relayed-flag/1": (before["relayed-flag/1"] ?? 0) + 250,
      });
      const events = await readEventCounts(server.database.db, "staging");
      expect(events.filter((e) => e.event === "purchase").map((e) => ({ source: e.source, count: e.count }))).toEqual([
        { source: "browser", count: 12 },
      ]);

      // The instance moves to the server directly: it no longer shows the relay.
      const serverToken = await server.token("server", "production");
      await server.request("POST", "/api/sdk/metrics", { token: serverToken, body: { instanceId: "api-1", version, epoch } });
      expect(await instance("production", "api-1")).toMatchObject({ ackedVersion: version, relayId: null });
    });

    it("keeps one row for an instance listed twice (the last), and refuses an oversized batch whole", async () => {
      const flags = await server.request("GET", "/api/relay/environments/production/flags", { token: relay.token });
      // The same instance twice is one row (the last wins), not an error.
      const twice = await report({
        relayId: "relay-eu-1",
        instances: [
          { environment: "production", instanceId: "api-twice", version: 1 },
          { environment: "production", instanceId: "api-twice", version: flags.body.version },
        ],
        streams: [],
      });
      expect(twice.status).toBe(202);
      expect(await instance("production", "api-twice")).toMatchObject({ ackedVersion: flags.body.version });
      // Too many entries: refused at the edge, nothing of it written.
      const tooMany = await report({
        relayId: "relay-eu-1",
        instances: [{ environment: "production", instanceId: "api-never", version: 1 }],
        events: Array.from({ length: 10_001 }, (_, i) => ({ environment: "production", source: "server", event: `e${i}`, count: 1 })),
        streams: [],
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.details).toEqual([{ path: "events", message: expect.stringContaining("10000") }]);
      expect(await instance("production", "api-never")).toBeUndefined();
    });

    it("marks listed streams connected, then closed once the relay no longer lists them", async () => {
      const first = await report({
        relayId: "relay-eu-1",
        streams: [{ environment: "staging", instanceIds: ["svc-a", "svc-b"] }],
      });
      expect(first.body.accepted).toEqual({ instances: 0, evaluations: 0, events: 0, streams: 1, contexts: 0 });
      expect(await instance("staging", "svc-a")).toMatchObject({ connected: true, relayId: "relay-eu-1" });
      expect(await instance("staging", "svc-b")).toMatchObject({ connected: true, relayId: "relay-eu-1" });

      // Another relay's streams in the same environment are its own business.
      await report({ relayId: "relay-us-1", streams: [{ environment: "staging", instanceIds: ["svc-c"] }] });
      await report({ relayId: "relay-eu-1", streams: [{ environment: "staging", instanceIds: ["svc-a"] }] });
      expect(await instance("staging", "svc-a")).toMatchObject({ connected: true });
      expect(await instance("staging", "svc-b")).toMatchObject({ connected: false, relayId: "relay-eu-1" });
      expect(await instance("staging", "svc-c")).toMatchObject({ connected: true, relayId: "relay-us-1" });

      // An environment the batch does not list keeps its streams; listed with none, it has none.
      await report({ relayId: "relay-eu-1", streams: [] });
      expect(await instance("staging", "svc-a")).toMatchObject({ connected: true });
      await report({ relayId: "relay-eu-1", streams: [{ environment: "staging", instanceIds: [] }] });
      expect(await instance("staging", "svc-a")).toMatchObject({ connected: false });
    });

    it("refuses a batch naming an environment that is not the relay's, or does not exist, and writes none of it", async () => {
      const base = { relayId: "relay-eu-1" };
      const foreign = await report({
        ...base,
        streams: [
          { environment: "staging", instanceIds: ["x-1"] },
          { environment: "dev", instanceIds: ["x-2"] },
        ],
      });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error).toMatchObject({ code: "FORBIDDEN", details: [{ path: "streams[1].environment" }] });
      expect(await instance("staging", "x-1")).toBeUndefined();

      const bad = await report({ ...base, streams: [], contexts: [{ environment: "production", context: { key: "u" }, count: 0 }] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ path: "contexts[0].count", message: expect.any(String) }]);
      const unknownField = await report({ ...base, streams: [], extra: 1 });
      expect(unknownField.status).toBe(400);
      const badSource = await report({
        ...base,
        streams: [],
        evaluations: [{ environment: "production", source: "mobile", flag: "relayed-flag", variation: 0, count: 1 }],
      });
      expect(badSource.body.error.details).toEqual([{ path: "evaluations[0].source", message: "must be server or browser" }]);
    });

    it("serves nothing of an environment deleted after the token was made", async () => {
      await server.request("POST", "/api/environments", { body: { key: "doomed" } });
      const created = await server.request("POST", "/api/tokens", {
        body: { kind: "relay", name: "edge-doomed", environments: ["doomed"] },
      });
      expect((await server.request("GET", "/api/relay/environments/doomed/flags", { token: created.body.token })).status).toBe(200);
      await server.request("DELETE", "/api/environments/doomed");
      const flags = await server.request("GET", "/api/relay/environments/doomed/flags", { token: created.body.token });
      expect({ status: flags.status, message: flags.body.error.message }).toEqual({
        status: 404,
        message: "Environment 'doomed' does not exist",
      });
      const reported = await server.request("POST", "/api/relay/reports", {
        token: created.body.token,
        body: { relayId: "r", streams: [{ environment: "doomed", instanceIds: [] }] },
      });
      expect(reported.status).toBe(404);
    });

    it("cuts a deleted relay token: 401, and its open stream closes", async () => {
      const created = await server.request("POST", "/api/tokens", {
        body: { kind: "relay", name: "edge-gone", environments: ["production"] },
      });
      const stream = await relayStream("production", {}, created.body.token);
      await stream.waitFor(1);
      await server.request("DELETE", `/api/tokens/${created.body.id}`);
      await stream.waitUntil(() => stream.ended, 3_000);
      const res = await server.request("GET", "/api/relay/tokens", { token: created.body.token });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 401, code: "UNAUTHORIZED" });
    });
  });
}
