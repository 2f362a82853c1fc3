import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`segments and environments on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      client = await server.token("client", "production");
    });
    afterAll(() => server?.close());

    it("creates, reads and replaces a segment with growing versions", async () => {
      const created = await server.request("POST", "/api/segments", {
        body: {
          key: "beta",
          name: "Beta",
          included: ["u1"],
          excluded: ["u2"],
          rules: [{ conditions: [{ attribute: "email", operator: "endsWith", values: ["@acme.test"] }] }],
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        key: "beta",
        name: "Beta",
        description: "",
        included: ["u1"],
        excluded: ["u2"],
        rules: [
          {
            id: expect.stringMatching(/^rule-/),
            conditions: [{ attribute: "email", operator: "endsWith", values: ["@acme.test"], negate: false }],
          },
        ],
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const replaced = await server.request("PUT", "/api/segments/beta", {
        body: { name: "Beta", included: ["u1", "u3"], excluded: [], rules: [] },
        headers: { "if-match": "1" },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ version: 2, included: ["u1", "u3"], rules: [] });
      const stale = await server.request("PUT", "/api/segments/beta", {
        body: { included: [], excluded: [], rules: [] },
        headers: { "if-match": "1" },
      });
      expect(stale.status).toBe(409);
      const renamed = await server.request("PUT", "/api/segments/beta", { body: { key: "other", included: [], excluded: [], rules: [] } });
      expect(renamed.status).toBe(400);
    });

    it("refuses a key both included and excluded", async () => {
      const res = await server.request("POST", "/api/segments", { body: { key: "both", included: ["u1"], excluded: ["u1"], rules: [] } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain("u1");
    });

    it("targets a flag by segment, and a segment change reaches evaluation", async () => {
      await server.request("POST", "/api/flags", { body: { key: "beta-feature" } });
      const put = await server.request("PUT", "/api/flags/beta-feature/environments/production", {
        body: {
          enabled: true,
          rules: [{ id: "beta", conditions: [], segments: ["beta"], serve: { variation: 0 } }],
          fallthrough: { variation: 1 },
        },
      });
      expect(put.status).toBe(200);
      const value = async (key: string) =>
        (await server.request("POST", "/api/client/evaluate", { token: client, body: { context: { key } } })).body.flags["beta-feature"];
      expect(await value("u3")).toEqual({ value: true, variation: 0, variant: "on", reason: "TARGETING_MATCH" });
      expect(await value("u4")).toEqual({ value: false, variation: 1, variant: "off", reason: "DEFAULT" });
      await server.request("PUT", "/api/segments/beta", { body: { included: ["u4"], excluded: [], rules: [] } });
      expect(await value("u4")).toEqual({ value: true, variation: 0, variant: "on", reason: "TARGETING_MATCH" });
      expect(await value("u3")).toEqual({ value: false, variation: 1, variant: "off", reason: "DEFAULT" });
    });

    it("refuses to delete a segment a flag uses, and deletes it once unused", async () => {
      const used = await server.request("DELETE", "/api/segments/beta");
      expect(used.status).toBe(409);
      expect(used.body.error.details).toEqual({ usedBy: ["beta-feature (production)"] });
      await server.request("PATCH", "/api/flags/beta-feature/environments/production", { body: { rules: [] } });
      expect((await server.request("DELETE", "/api/segments/beta")).status).toBe(200);
      expect((await server.request("GET", "/api/segments/beta")).status).toBe(404);
    });

    it("has the three default environments; a new one gets every flag, off", async () => {
      const list = await server.request("GET", "/api/environments");
      expect(list.body.environments.map((e: { key: string }) => e.key)).toEqual(["development", "staging", "production"]);
      const created = await server.request("POST", "/api/environments", { body: { key: "eu-prod", name: "EU production" } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        key: "eu-prod",
        name: "EU production",
        webhookUrl: null,
        webhookSecretSet: false,
        seenContexts: true,
        confirmFlipShare: null,
        production: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const config = await server.request("GET", "/api/flags/beta-feature/environments/eu-prod");
      expect(config.body).toMatchObject({ version: 1, enabled: false });
      const renamed = await server.request("PATCH", "/api/environments/eu-prod", { body: { name: "Europe", production: true } });
      expect(renamed.body).toMatchObject({ name: "Europe", production: true });
      const euToken = await server.token("server", "eu-prod");
      expect((await server.request("DELETE", "/api/environments/eu-prod")).status).toBe(200);
      expect((await server.request("GET", "/api/flags/beta-feature/environments/eu-prod")).status).toBe(404);
      expect((await server.request("GET", "/api/sdk/flags", { token: euToken })).status).toBe(401);
      expect((await server.request("POST", "/api/environments", { body: { key: "production" } })).status).toBe(409);
    });
  });
}
