import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../src/http/app-env";
import { TokenBuckets } from "../src/http/rate-limit";
import { authorizeFromTable } from "../src/http/authorize";
import { operations } from "../src/openapi/operations";
import { ofrepRoutes } from "../src/routes/ofrep";
import { backends, startTestServer, type TestServer } from "./harness";

const SINGLE = "/ofrep/v1/evaluate/flags";
const ROLLOUT_DETAILS = 'the rollout buckets by "key", which the context lacks (or is not a string or integer)';

/** The flags every test here evaluates, in production. */
async function seedFlags(server: TestServer): Promise<void> {
  const flags: Array<{ key: string; variations?: unknown[]; config: Record<string, unknown> }> = [
    { key: "dark-mode", config: { enabled: true, fallthrough: { variation: 0 } } },
    {
      key: "banner-text",
      variations: [
        { name: "hello", value: "Hello" },
        { name: "welcome-back", value: "Welcome back", description: "for returning pro users" },
      ],
      config: {
        enabled: true,
        rules: [{ id: "pro", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 1 } }],
        fallthrough: { variation: 0 },
      },
    },
    { key: "page-size", variations: [10, 25], config: { enabled: true, fallthrough: { variation: 1 } } },
    {
      key: "theme",
      variations: [
        { color: "blue", dense: false },
        { color: "green", dense: true },
      ],
      config: { enabled: true, fallthrough: { variation: 0 } },
    },
    { key: "kill-switch", config: { enabled: false, fallthrough: { variation: 0 } } },
    { key: "new-search", config: { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } } },
  ];
  for (const flag of flags) {
    const created = await server.request("POST", "/api/flags", {
      body: { key: flag.key, ...(flag.variations ? { variations: flag.variations } : {}) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const configured = await server.request("PUT", `/api/flags/${flag.key}/environments/production`, { body: flag.config });
    expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  }
}

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`OFREP on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    let sdk: string;
    let deploy: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await seedFlags(server);
      client = await server.token("client", "production");
      sdk = await server.token("server", "production");
      deploy = await server.token("deploy", "production");
    });
    afterAll(() => server?.close());

    const evaluate = (key: string, body: unknown, token = sdk) => server.request("POST", `${SINGLE}/${key}`, { token, body });

    describe("single evaluation", () => {
      it("evaluates a boolean flag with a JSON content type", async () => {
        const res = await evaluate("dark-mode", { context: { targetingKey: "user-1" } });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        expect(res.body).toEqual({ key: "dark-mode", value: true, reason: "STATIC", variant: "on", metadata: {} });
      });

      it("evaluates a string flag: the rule id is metadata for a server token, hidden from a client token", async () => {
        const context = { context: { targetingKey: "user-1", plan: "pro" } };
        expect((await evaluate("banner-text", context)).body).toEqual({
          key: "banner-text",
          value: "Welcome back",
          reason: "TARGETING_MATCH",
          variant: "welcome-back",
          metadata: { ruleId: "pro" },
        });
        const asClient = await evaluate("banner-text", context, client);
        expect(asClient.status).toBe(200);
        expect(asClient.body).toEqual({
          key: "banner-text",
          value: "Welcome back",
          reason: "TARGETING_MATCH",
          variant: "welcome-back",
          metadata: {},
        });
        const free = await evaluate("banner-text", { context: { targetingKey: "user-2", plan: "free" } });
        expect(free.body).toEqual({ key: "banner-text", value: "Hello", reason: "DEFAULT", variant: "hello", metadata: {} });
      });

      it("evaluates number and object flags", async () => {
        const number = await evaluate("page-size", { context: { targetingKey: "user-1" } });
        expect(number.status).toBe(200);
        expect(number.body).toEqual({ key: "page-size", value: 25, reason: "STATIC", variant: "v2", metadata: {} });
        const object = await evaluate("theme", { context: { targetingKey: "user-1" } }, client);
        expect(object.status).toBe(200);
        expect(object.body).toEqual({
          key: "theme",
          value: { color: "blue", dense: false },
          reason: "STATIC",
          variant: "v1",
          metadata: {},
        });
      });

      it("serves a disabled flag's off variation with reason DISABLED", async () => {
        const res = await evaluate("kill-switch", { context: { targetingKey: "user-1" } });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ key: "kill-switch", value: false, reason: "DISABLED", variant: "off", metadata: {} });
      });

      it("maps targetingKey to the context key for a rollout, and the same user always gets the same variant", async () => {
        const first = await evaluate("new-search", { context: { targetingKey: "user-42" } });
        expect(first.status).toBe(200);
        expect(first.body).toEqual({
          key: "new-search",
          value: first.body.variant === "on",
          reason: "SPLIT",
          variant: expect.stringMatching(/^(on|off)$/),
          metadata: {},
        });
        expect((await evaluate("new-search", { context: { targetingKey: "user-42" } }, client)).body).toEqual(first.body);
        // Different users land in both halves of a 50/50 rollout.
        const variants = new Set<string>();
        for (let i = 0; i < 20; i++) variants.add((await evaluate("new-search", { context: { targetingKey: `user-${i}` } })).body.variant);
        expect([...variants].sort()).toEqual(["off", "on"]);
      });

      it("is 400 TARGETING_KEY_MISSING when a rollout needs a targeting key the context lacks", async () => {
        const expected = { key: "new-search", errorCode: "TARGETING_KEY_MISSING", errorDetails: ROLLOUT_DETAILS };
        const res = await evaluate("new-search", { context: { plan: "pro" } });
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        expect(res.body).toEqual(expected);
        // No context at all, and no body at all, are the same empty context.
        expect(await evaluate("new-search", {})).toMatchObject({ status: 400, body: expected });
        expect(await server.request("POST", `${SINGLE}/new-search`, { token: sdk, rawBody: "" })).toMatchObject({
          status: 400,
          body: expected,
        });
        // A flag that needs no targeting key is served without one.
        expect(await evaluate("dark-mode", {})).toMatchObject({ status: 200, body: { key: "dark-mode", value: true } });
      });

      it("tells a client token only what the error code says, never which attribute a rollout buckets by", async () => {
        const generic = {
          key: "new-search",
          errorCode: "TARGETING_KEY_MISSING",
          errorDetails: "Flag 'new-search' needs a targeting key or attribute this context lacks",
        };
        expect(await evaluate("new-search", { context: { plan: "pro" } }, client)).toMatchObject({ status: 400, body: generic });
        const all = await server.request("POST", "/ofrep/v1/evaluate/flags", { token: client, body: { context: { plan: "pro" } } });
        expect(all.body.flags.find((f: { key: string }) => f.key === "new-search")).toEqual(generic);
        expect(JSON.stringify(all.body)).not.toContain("buckets by");
      });

      it("is 404 FLAG_NOT_FOUND for an unknown flag, and for a flag once it is archived", async () => {
        const res = await evaluate("no-such-flag", { context: { targetingKey: "user-1" } });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({
          key: "no-such-flag",
          errorCode: "FLAG_NOT_FOUND",
          errorDetails: "Flag 'no-such-flag' does not exist in 'production'",
        });

        await server.request("POST", "/api/flags", { body: { key: "old-banner" } });
        await server.request("PATCH", "/api/flags/old-banner/environments/production", { body: { enabled: true } });
        expect((await evaluate("old-banner", {})).status).toBe(200);
        expect((await server.request("DELETE", "/api/flags/old-banner")).status).toBe(200);
        const archived = await evaluate("old-banner", {});
        expect(archived.status).toBe(404);
        expect(archived.body).toEqual({
          key: "old-banner",
          errorCode: "FLAG_NOT_FOUND",
          errorDetails: "Flag 'old-banner' does not exist in 'production'",
        });
      });

      it("is 400 PARSE_ERROR for a body that is not a JSON object, with the flag key", async () => {
        const broken = await server.request("POST", `${SINGLE}/dark-mode`, {
          token: sdk,
          rawBody: '{"context": {',
          headers: { "content-type": "application/json" },
        });
        expect(broken.status).toBe(400);
        expect(broken.body).toEqual({
          key: "dark-mode",
          errorCode: "PARSE_ERROR",
          errorDetails: expect.stringMatching(/^The request body is not valid JSON: /),
        });
        const array = await evaluate("dark-mode", [{ targetingKey: "user-1" }]);
        expect(array.status).toBe(400);
        expect(array.body).toEqual({
          key: "dark-mode",
          errorCode: "PARSE_ERROR",
          errorDetails: 'The request body must be a JSON object such as {"context":{"targetingKey":"user-1"}}',
        });
      });

      it("is 400 INVALID_CONTEXT for a context that is not an object or has a non-string targeting key", async () => {
        const notObject = await evaluate("dark-mode", { context: "user-1" });
        expect(notObject.status).toBe(400);
        expect(notObject.body).toEqual({
          key: "dark-mode",
          errorCode: "INVALID_CONTEXT",
          errorDetails: "Invalid evaluation context: context: Invalid input: expected object, received string",
        });
        const numericKey = await evaluate("dark-mode", { context: { targetingKey: 42 } });
        expect(numericKey.status).toBe(400);
        expect(numericKey.body).toEqual({
          key: "dark-mode",
          errorCode: "INVALID_CONTEXT",
          errorDetails: "Invalid evaluation context: context.targetingKey: targetingKey must be a string",
        });
        // What PostgreSQL cannot store is refused here, as on every other route: a sampled context is stored.
        const nul = await evaluate("dark-mode", { context: { targetingKey: "user\u0000" } });
        expect(nul.status).toBe(400);
        expect(nul.body).toEqual({
          key: "dark-mode",
          errorCode: "INVALID_CONTEXT",
          errorDetails: "Invalid evaluation context: context.targetingKey: must not contain the NUL character (\\u0000)",
        });
      });
    });

    describe("bulk evaluation", () => {
      const bulk = (context: Record<string, unknown>, options: { token?: string; ifNoneMatch?: string } = {}) =>
        server.request("POST", SINGLE, {
          token: options.token ?? client,
          body: { context },
          headers: options.ifNoneMatch === undefined ? {} : { "if-none-match": options.ifNoneMatch },
        });

      it("evaluates every flag, ordered by key, with per-flag failures inside the 200", async () => {
        const res = await bulk({ targetingKey: "user-42", plan: "pro" });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
        const split = (await evaluate("new-search", { context: { targetingKey: "user-42" } })).body;
        expect(res.body).toEqual({
          flags: [
            { key: "banner-text", value: "Welcome back", reason: "TARGETING_MATCH", variant: "welcome-back", metadata: {} },
            { key: "dark-mode", value: true, reason: "STATIC", variant: "on", metadata: {} },
            { key: "kill-switch", value: false, reason: "DISABLED", variant: "off", metadata: {} },
            split,
            { key: "page-size", value: 25, reason: "STATIC", variant: "v2", metadata: {} },
            { key: "theme", value: { color: "blue", dense: false }, reason: "STATIC", variant: "v1", metadata: {} },
          ],
          // A client token is told where to hear of changes (the stock web provider follows it); a server token is not.
          eventStreams: [{ type: "sse", endpoint: { requestUri: `/ofrep/v1/events?token=${client}` }, inactivityDelaySec: 120 }],
        });

        const anonymous = await bulk({ plan: "pro" });
        expect(anonymous.status).toBe(200);
        // A client token's bulk answer: the code, not how the rollout is built.
        expect(anonymous.body.flags[3]).toEqual({
          key: "new-search",
          errorCode: "TARGETING_KEY_MISSING",
          errorDetails: "Flag 'new-search' needs a targeting key or attribute this context lacks",
        });
        const asServer = await bulk({ plan: "pro" }, { token: sdk });
        expect(asServer.body.flags[3]).toEqual({ key: "new-search", errorCode: "TARGETING_KEY_MISSING", errorDetails: ROLLOUT_DETAILS });
        expect(asServer.body).not.toHaveProperty("eventStreams");
        expect(anonymous.body.flags).toHaveLength(6);
      });

      it("a server token gets rule ids as metadata, and so another ETag", async () => {
        const asClient = await bulk({ targetingKey: "user-1", plan: "pro" });
        const asServer = await bulk({ targetingKey: "user-1", plan: "pro" }, { token: sdk });
        expect(asServer.body.flags[0]).toEqual({
          key: "banner-text",
          value: "Welcome back",
          reason: "TARGETING_MATCH",
          variant: "welcome-back",
          metadata: { ruleId: "pro" },
        });
        expect(asServer.headers.get("etag")).not.toBe(asClient.headers.get("etag"));
      });

      it("answers 304 to a matching If-None-Match, and 200 with a new ETag for another context", async () => {
        const context = { targetingKey: "user-1", plan: "pro" };
        const first = await bulk(context);
        const etag = first.headers.get("etag") ?? "";
        expect(etag).not.toBe("");
        // The same context and configs: the same ETag (a hash of the response).
        expect((await bulk(context)).headers.get("etag")).toBe(etag);

        const same = await bulk(context, { ifNoneMatch: etag });
        expect(same.status).toBe(304);
        expect(same.body).toBeNull();
        expect(same.headers.get("etag")).toBe(etag);
        expect((await bulk(context, { ifNoneMatch: `"something-else", W/${etag}` })).status).toBe(304);

        const other = await bulk({ targetingKey: "user-2", plan: "free" }, { ifNoneMatch: etag });
        expect(other.status).toBe(200);
        expect(other.headers.get("etag")).not.toBe(etag);
        expect(other.body.flags[0]).toEqual({ key: "banner-text", value: "Hello", reason: "DEFAULT", variant: "hello", metadata: {} });
      });

      it("answers 200 with a new ETag after a toggle, then 304 again", async () => {
        const context = { targetingKey: "user-1" };
        const before = await bulk(context);
        const etag = before.headers.get("etag") ?? "";
        expect((await bulk(context, { ifNoneMatch: etag })).status).toBe(304);

        await server.request("PATCH", "/api/flags/dark-mode/environments/production", { body: { enabled: false } });
        try {
          const after = await bulk(context, { ifNoneMatch: etag });
          expect(after.status).toBe(200);
          const newEtag = after.headers.get("etag") ?? "";
          expect(newEtag).not.toBe(etag);
          expect(after.body.flags[1]).toEqual({ key: "dark-mode", value: false, reason: "DISABLED", variant: "off", metadata: {} });
          expect((await bulk(context, { ifNoneMatch: newEtag })).status).toBe(304);
        } finally {
          await server.request("PATCH", "/api/flags/dark-mode/environments/production", { body: { enabled: true } });
        }
        // Back to the old values: back to the old ETag.
        expect((await bulk(context, { ifNoneMatch: etag })).status).toBe(304);
      });

      it("is 400 for a malformed request only, in OFREP's bulk failure shape (no key)", async () => {
        const broken = await server.request("POST", SINGLE, { token: client, rawBody: "not json" });
        expect(broken.status).toBe(400);
        expect(broken.body).toEqual({
          errorCode: "PARSE_ERROR",
          errorDetails: expect.stringMatching(/^The request body is not valid JSON: /),
        });
        const badContext = await server.request("POST", SINGLE, { token: client, body: { context: { targetingKey: ["user-1"] } } });
        expect(badContext.status).toBe(400);
        expect(badContext.body).toEqual({
          errorCode: "INVALID_CONTEXT",
          errorDetails: "Invalid evaluation context: context.targetingKey: targetingKey must be a string",
        });
      });
    });

    describe("tokens and browsers", () => {
      it("is 401 without a token or with an unknown one, in Switchyard's error envelope", async () => {
        for (const path of [SINGLE, `${SINGLE}/dark-mode`]) {
          const none = await server.request("POST", path, { token: null, body: { context: {} } });
          expect(none.status).toBe(401);
          expect(none.body).toEqual({
            error: { code: "UNAUTHORIZED", message: "This endpoint needs an API token: send 'Authorization: Bearer <token>'" },
          });
          const unknown = await server.request("POST", path, { token: "sy_client_not-a-real-token", body: { context: {} } });
          expect(unknown.status).toBe(401);
          expect(unknown.body).toEqual({ error: { code: "UNAUTHORIZED", message: "The API token is unknown or was deleted" } });
        }
      });

      it("is 403 for admin and deploy tokens", async () => {
        for (const path of [SINGLE, `${SINGLE}/dark-mode`]) {
          const admin = await server.request("POST", path, { token: server.adminToken, body: { context: {} } });
          expect(admin.status).toBe(403);
          expect(admin.body).toEqual({
            error: {
              code: "FORBIDDEN",
              message: expect.stringMatching(/^This endpoint needs a server token or a client token; '.+' is an admin token$/),
            },
          });
          const asDeploy = await server.request("POST", path, { token: deploy, body: { context: {} } });
          expect(asDeploy.status).toBe(403);
          expect(asDeploy.body).toEqual({
            error: {
              code: "FORBIDDEN",
              message: "This endpoint needs a server token or a client token; 'deploy test token' is a deploy token",
            },
          });
        }
      });

      it("answers a CORS preflight without a token, and exposes ETag and Retry-After", async () => {
        const preflight = await server.request("OPTIONS", SINGLE, {
          token: null,
          headers: {
            origin: "https://shop.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type,if-none-match",
          },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
        expect(preflight.headers.get("access-control-allow-methods")).toBe("POST");
        expect(preflight.headers.get("access-control-allow-headers")).toBe("Content-Type,Authorization,If-None-Match");
        expect(preflight.headers.get("access-control-max-age")).toBe("86400");

        const res = await server.request("POST", SINGLE, {
          token: client,
          body: { context: {} },
          headers: { origin: "https://shop.example" },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("access-control-allow-origin")).toBe("*");
        expect(res.headers.get("access-control-expose-headers")).toBe("ETag,Retry-After");
        // A browser can only read a failure's status when the failure carries CORS headers too.
        const refused = await server.request("POST", `${SINGLE}/dark-mode`, {
          token: null,
          body: { context: {} },
          headers: { origin: "https://shop.example" },
        });
        expect(refused.status).toBe(401);
        expect(refused.headers.get("access-control-allow-origin")).toBe("*");
      });

      it("is 429 with Retry-After in whole seconds when a token exceeds its rate limit", async () => {
        // The production app mounts the routes with the generous default; this one allows 2 requests, then 1 every 10 s.
        const limited = new Hono<AppEnv>()
          .use("/ofrep/*", authorizeFromTable(operations, server.live))
          .route("/ofrep/v1", ofrepRoutes({ live: server.live }, { rateLimit: { requestsPerSecond: 0.1, burst: 2 } }));
        const post = (path: string, token: string) =>
          limited.request(path, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json", origin: "https://shop.example" },
            body: JSON.stringify({ context: { targetingKey: "user-1" } }),
          });
        expect((await post(`${SINGLE}/dark-mode`, client)).status).toBe(200);
        expect((await post(SINGLE, client)).status).toBe(200);
        const refused = await post(`${SINGLE}/dark-mode`, client);
        expect(refused.status).toBe(429);
        const retryAfter = refused.headers.get("retry-after") ?? "";
        expect(retryAfter).toMatch(/^\d+$/);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(retryAfter)).toBeLessThanOrEqual(10);
        expect(refused.headers.get("access-control-expose-headers")).toBe("ETag,Retry-After");
        expect(await refused.json()).toEqual({ errorDetails: `Rate limit exceeded for this token; retry after ${retryAfter} s` });
        expect((await post(SINGLE, client)).status).toBe(429);
        // The limit is per token.
        expect((await post(`${SINGLE}/dark-mode`, sdk)).status).toBe(200);
      });
    });
  });
}

describe("the OFREP token bucket", () => {
  it("allows a burst, then one request per refill, and says how many whole seconds to wait", () => {
    let nowMs = 0;
    const buckets = new TokenBuckets({ requestsPerSecond: 0.5, burst: 2 }, () => nowMs);
    expect([buckets.take("a"), buckets.take("a")]).toEqual([0, 0]);
    expect(buckets.take("a")).toBe(2);
    nowMs += 1_500; // 0.75 of a request refilled
    expect(buckets.take("a")).toBe(1);
    expect(buckets.take("b")).toBe(0);
    nowMs += 500;
    expect(buckets.take("a")).toBe(0);
    nowMs += 60_000; // never more than the burst
    expect([buckets.take("a"), buckets.take("a"), buckets.take("a")]).toEqual([0, 0, 2]);
  });
});
