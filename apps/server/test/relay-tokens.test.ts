import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`relay tokens on ${backend.name}`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(backend.name);
    });
    afterAll(() => server?.close());

    it("creates a relay token for several environments, shows them when listed, and audits it", async () => {
      const created = await server.request("POST", "/api/tokens", {
        body: { kind: "relay", name: "edge-eu", environments: ["production", "staging"] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ kind: "relay", name: "edge-eu", environment: null, environments: ["production", "staging"] });
      expect(created.body.token).toMatch(/^sy_relay_[0-9A-Za-z]{32}$/);

      const listed = await server.request("GET", "/api/tokens");
      const { token: _secret, ...shown } = created.body;
      expect(listed.body.tokens.find((t: { id: string }) => t.id === created.body.id)).toEqual(shown);
      // Other kinds keep their shape: no `environments` field.
      expect(listed.body.tokens.find((t: { kind: string }) => t.kind === "admin")).not.toHaveProperty("environments");

      const audit = await server.request("GET", "/api/audit?limit=200");
      expect(audit.body.entries.find((e: { resource: { key: string } }) => e.resource.key === created.body.id)).toMatchObject({
        action: "token.create",
        after: { kind: "relay", environments: ["production", "staging"] },
      });
    });

    it.each([
      {
        name: "environment (singular) on a relay token",
        body: { kind: "relay", name: "r", environment: "production" },
        path: "environment",
      },
      { name: "no environments on a relay token", body: { kind: "relay", name: "r" }, path: "environments" },
      { name: "an empty list", body: { kind: "relay", name: "r", environments: [] }, path: "environments" },
      {
        name: "an environment twice",
        body: { kind: "relay", name: "r", environments: ["production", "production"] },
        path: "environments",
      },
      {
        name: "more than 50 environments",
        body: { kind: "relay", name: "r", environments: Array.from({ length: 51 }, (_, i) => `env-${i}`) },
        path: "environments",
      },
      {
        name: "an unknown environment",
        body: { kind: "relay", name: "r", environments: ["production", "nowhere"] },
        path: "environments[1]",
      },
      {
        name: "environments on a server token",
        body: { kind: "server", name: "s", environment: "production", environments: ["production"] },
        path: "environments",
      },
    ])("refuses $name with a 400 naming the field", async ({ body, path }) => {
      const res = await server.request("POST", "/api/tokens", { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it("names the unknown environment", async () => {
      const res = await server.request("POST", "/api/tokens", { body: { kind: "relay", name: "r", environments: ["nowhere"] } });
      expect(res.body.error).toEqual({
        code: "VALIDATION_FAILED",
        message: "Environment 'nowhere' does not exist",
        details: [{ path: "environments[0]", message: "environment 'nowhere' does not exist" }],
      });
    });
  });
}
