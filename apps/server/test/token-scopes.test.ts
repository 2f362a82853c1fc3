import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

type Kind = "admin" | "server" | "client" | "deploy";

/** Every route, the token kinds allowed on it, and a request that is valid for an allowed token. */
const routes: Array<{ method: string; path: string; allowed: Kind[]; body?: unknown }> = [
  { method: "GET", path: "/api/environments", allowed: ["admin"] },
  { method: "POST", path: "/api/environments", allowed: ["admin"], body: { key: "scratch-env" } },
  { method: "GET", path: "/api/environments/production", allowed: ["admin"] },
  { method: "PATCH", path: "/api/environments/staging", allowed: ["admin"], body: { name: "Staging" } },
  { method: "DELETE", path: "/api/environments/scratch-env", allowed: ["admin"] },
  { method: "GET", path: "/api/flags", allowed: ["admin"] },
  { method: "POST", path: "/api/flags", allowed: ["admin"], body: { key: "scratch-flag" } },
  { method: "GET", path: "/api/flags/demo", allowed: ["admin"] },
  { method: "PATCH", path: "/api/flags/demo", allowed: ["admin"], body: { description: "x" } },
  { method: "DELETE", path: "/api/flags/scratch-flag", allowed: ["admin"] },
  { method: "GET", path: "/api/flags/demo/environments/production", allowed: ["admin"] },
  {
    method: "PUT",
    path: "/api/flags/demo/environments/production",
    allowed: ["admin"],
    body: { enabled: true, fallthrough: { variation: 0 } },
  },
  { method: "PATCH", path: "/api/flags/demo/environments/production", allowed: ["admin"], body: { enabled: true } },
  { method: "GET", path: "/api/flags/demo/environments/production/versions", allowed: ["admin"] },
  { method: "POST", path: "/api/flags/demo/environments/production/versions/1/restore", allowed: ["admin"] },
  { method: "GET", path: "/api/segments", allowed: ["admin"] },
  { method: "POST", path: "/api/segments", allowed: ["admin"], body: { key: "scratch-seg", included: [], excluded: [], rules: [] } },
  { method: "GET", path: "/api/segments/scratch-seg", allowed: ["admin"] },
  { method: "PUT", path: "/api/segments/scratch-seg", allowed: ["admin"], body: { included: ["a"], excluded: [], rules: [] } },
  { method: "DELETE", path: "/api/segments/scratch-seg", allowed: ["admin"] },
  { method: "GET", path: "/api/tokens", allowed: ["admin"] },
  { method: "POST", path: "/api/tokens", allowed: ["admin"], body: { name: "x", kind: "client", environment: "staging" } },
  { method: "DELETE", path: "/api/tokens/tok_doesnotexist", allowed: ["admin"] },
  { method: "GET", path: "/api/audit", allowed: ["admin"] },
  { method: "GET", path: "/api/sdk/flags", allowed: ["server"] },
  { method: "POST", path: "/api/client/evaluate", allowed: ["client"], body: { context: { key: "u1" } } },
  {
    method: "POST",
    path: "/api/deploys",
    allowed: ["admin", "deploy"],
    body: {
      service: "web",
      version: "1",
      environment: "production",
      flags: [],
      guard: { windowSeconds: 60, intervalSeconds: 60, checks: [{ signal: "error_rate", max: 0.1 }] },
    },
  },
  { method: "GET", path: "/api/deploys", allowed: ["admin", "deploy"] },
  { method: "GET", path: "/api/deploys/dep_doesnotexist", allowed: ["admin", "deploy"] },
  { method: "POST", path: "/api/deploys/dep_doesnotexist/signals", allowed: ["admin", "deploy"], body: { signal: "x", value: 1 } },
  { method: "POST", path: "/api/deploys/dep_doesnotexist/restore-flags", allowed: ["admin"] },
];

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`token scopes on ${backend.name}`, () => {
    let server: TestServer;
    const tokens = {} as Record<Kind, string>;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await server.request("POST", "/api/flags", { body: { key: "demo" } });
      tokens.admin = server.adminToken;
      for (const kind of ["server", "client", "deploy"] as const) tokens[kind] = await server.token(kind, "production");
    });
    afterAll(() => server?.close());

    it.each(routes)("$method $path: 401 without a token or with an unknown one", async (route) => {
      const none = await server.request(route.method, route.path, { token: null, body: route.body });
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe("UNAUTHORIZED");
      const unknown = await server.request(route.method, route.path, { token: "sy_admin_not-a-real-token", body: route.body });
      expect(unknown.status).toBe(401);
    });

    it.each(routes)("$method $path: 403 for every token kind outside its scope, served for its own", async (route) => {
      for (const kind of ["admin", "server", "client", "deploy"] as const) {
        const res = await server.request(route.method, route.path, { token: tokens[kind], body: route.body });
        if (route.allowed.includes(kind)) {
          expect([res.status, kind]).not.toEqual([401, kind]);
          expect([res.status, kind]).not.toEqual([403, kind]);
          expect(res.status).toBeLessThan(500);
        } else {
          expect({ kind, status: res.status, code: res.body.error?.code }).toEqual({ kind, status: 403, code: "FORBIDDEN" });
        }
      }
    });

    it("a deleted token stops working at once", async () => {
      const created = await server.request("POST", "/api/tokens", {
        body: { name: "short-lived", kind: "server", environment: "production" },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^tok_/),
        name: "short-lived",
        kind: "server",
        environment: "production",
        hint: created.body.token.slice(-4),
        token: expect.stringMatching(/^sy_server_[0-9A-Za-z]{32}$/),
        createdAt: expect.any(String),
        createdBy: "first admin",
      });
      expect((await server.request("GET", "/api/sdk/flags", { token: created.body.token })).status).toBe(200);
      const listed = await server.request("GET", "/api/tokens");
      expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
      expect((await server.request("DELETE", `/api/tokens/${created.body.id}`)).status).toBe(200);
      expect((await server.request("GET", "/api/sdk/flags", { token: created.body.token })).status).toBe(401);
    });

    it("refuses to delete the last admin token and wrong environment scoping", async () => {
      const list = await server.request("GET", "/api/tokens");
      const admins = list.body.tokens.filter((t: { kind: string }) => t.kind === "admin");
      expect(admins).toHaveLength(1);
      const res = await server.request("DELETE", `/api/tokens/${admins[0].id}`);
      expect(res.status).toBe(409);
      const noEnv = await server.request("POST", "/api/tokens", { body: { name: "x", kind: "client" } });
      expect(noEnv.status).toBe(400);
      expect(noEnv.body.error.details).toEqual([{ path: "environment", message: "required for client tokens" }]);
      const badEnv = await server.request("POST", "/api/tokens", { body: { name: "x", kind: "client", environment: "moon" } });
      expect(badEnv.status).toBe(400);
    });
  });
}

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`deploy tokens turning flags off on ${backend.name}`, () => {
    let server: TestServer;
    let deploy: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await server.request("POST", "/api/flags", { body: { key: "risky" } });
      await server.request("PATCH", "/api/flags/risky/environments/production", { body: { enabled: true } });
      await server.request("PATCH", "/api/flags/risky/environments/staging", { body: { enabled: true } });
      deploy = await server.token("deploy", "production");
    });
    afterAll(() => server?.close());

    it("may turn a flag off in its environment, audited under its name", async () => {
      const res = await server.request("PATCH", "/api/flags/risky/environments/production", {
        token: deploy,
        body: { enabled: false, comment: "error rate up" },
      });
      expect(res.status).toBe(200);
      // It learns that the flag is off, and in which version; never the rules.
      expect(res.body).toEqual({ flag: "risky", environment: "production", enabled: false, version: 3, updatedAt: expect.any(String) });
      const audit = await server.request("GET", "/api/audit?flag=risky&limit=1");
      expect(audit.body.entries[0]).toMatchObject({
        actor: { name: "deploy test token" },
        comment: "error rate up",
        after: { enabled: false },
      });
    });

    it("may not turn flags on, change anything else, or act in another environment", async () => {
      const on = await server.request("PATCH", "/api/flags/risky/environments/production", { token: deploy, body: { enabled: true } });
      expect(on.status).toBe(403);
      expect(on.body.error.message).toContain('{"enabled": false}');
      const rules = await server.request("PATCH", "/api/flags/risky/environments/production", {
        token: deploy,
        body: { enabled: false, rules: [] },
      });
      expect(rules.status).toBe(403);
      const staging = await server.request("PATCH", "/api/flags/risky/environments/staging", { token: deploy, body: { enabled: false } });
      expect(staging.status).toBe(403);
      const put = await server.request("PUT", "/api/flags/risky/environments/production", {
        token: deploy,
        body: { enabled: false, fallthrough: { variation: 0 } },
      });
      expect(put.status).toBe(403);
    });
  });
}
