import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

const timestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
const variationId = expect.stringMatching(/^[0-9a-f]{8}$/);

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`flags API on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
    });
    afterAll(() => server?.close());

    it("creates a boolean flag, off in every environment at version 1", async () => {
      const res = await server.request("POST", "/api/flags", {
        body: { key: "new-checkout", name: "New checkout", tags: ["checkout"], owner: "payments" },
      });
      expect(res.status).toBe(201);
      const env = { enabled: false, version: 1, updatedAt: timestamp };
      expect(res.body).toEqual({
        key: "new-checkout",
        name: "New checkout",
        description: "",
        kind: "release",
        variations: [
          { id: variationId, name: "on", value: true },
          { id: variationId, name: "off", value: false },
        ],
        metadata: {},
        tags: ["checkout"],
        owner: "payments",
        expectedLifetimeDays: 40,
        permanent: false,
        createdAt: timestamp,
        updatedAt: timestamp,
        archivedAt: null,
        environments: { development: env, production: env, staging: env },
      });
      const config = await server.request("GET", "/api/flags/new-checkout/environments/production");
      expect(config.status).toBe(200);
      expect(config.headers.get("etag")).toBe('"1"');
      const [on, off] = res.body.variations;
      expect(config.body).toEqual({
        flag: "new-checkout",
        environment: "production",
        version: 1,
        enabled: false,
        offVariation: off.id,
        rules: [],
        fallthrough: { variation: on.id },
        prerequisites: [],
        updatedAt: timestamp,
      });
    });

    it("refuses a duplicate key with 409 and an invalid key with 400 naming the field", async () => {
      const dup = await server.request("POST", "/api/flags", { body: { key: "new-checkout" } });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe("CONFLICT");
      expect(dup.body.error.message).toContain("new-checkout");
      const bad = await server.request("POST", "/api/flags", { body: { key: "New Checkout!" } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("VALIDATION_FAILED");
      expect(bad.body.error.details).toEqual([{ path: "key", message: expect.any(String) }]);
    });

    it("takes multivariate flags and kind lifetimes", async () => {
      const res = await server.request("POST", "/api/flags", {
        body: { key: "search-ranking", kind: "experiment", variations: ["classic", "semantic", "hybrid"] },
      });
      expect(res.status).toBe(201);
      expect(res.body.variations).toEqual([
        { id: variationId, name: "classic", value: "classic" },
        { id: variationId, name: "semantic", value: "semantic" },
        { id: variationId, name: "hybrid", value: "hybrid" },
      ]);
      const ks = await server.request("POST", "/api/flags", { body: { key: "kill-payments", kind: "kill-switch" } });
      expect(ks.body.expectedLifetimeDays).toBeNull();
      const ops = await server.request("POST", "/api/flags", { body: { key: "ops-flag", kind: "operational", expectedLifetimeDays: 3 } });
      expect(ops.body.expectedLifetimeDays).toBe(3);
    });

    it("updates a flag's fields and lists flags by tag", async () => {
      const res = await server.request("PATCH", "/api/flags/new-checkout", {
        body: { description: "One-page checkout", comment: "clarify" },
      });
      expect(res.status).toBe(200);
      expect(res.body.description).toBe("One-page checkout");
      const list = await server.request("GET", "/api/flags?tag=checkout");
      expect(list.body.flags.map((f: { key: string }) => f.key)).toEqual(["new-checkout"]);
    });

    it("archives on DELETE, hides archived flags from lists and refuses config changes until unarchived", async () => {
      await server.request("POST", "/api/flags", { body: { key: "old-banner" } });
      const del = await server.request("DELETE", "/api/flags/old-banner");
      expect(del.status).toBe(200);
      expect(del.body.archivedAt).toEqual(timestamp);
      const list = await server.request("GET", "/api/flags");
      expect(list.body.flags.map((f: { key: string }) => f.key)).not.toContain("old-banner");
      const withArchived = await server.request("GET", "/api/flags?archived=true");
      expect(withArchived.body.flags.map((f: { key: string }) => f.key)).toContain("old-banner");
      const put = await server.request("PATCH", "/api/flags/old-banner/environments/production", { body: { enabled: true } });
      expect(put.status).toBe(409);
      const again = await server.request("POST", "/api/flags", { body: { key: "old-banner" } });
      expect(again.status).toBe(409);
      const unarchive = await server.request("PATCH", "/api/flags/old-banner", { body: { archived: false } });
      expect(unarchive.body.archivedAt).toBeNull();
    });

    it("answers 404 for a flag that does not exist", async () => {
      const res = await server.request("GET", "/api/flags/nope");
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: "Flag 'nope' does not exist" } });
    });

    it("refuses to remove variations the configs use, naming each use", async () => {
      await server.request("PUT", "/api/flags/search-ranking/environments/staging", {
        body: { enabled: true, offVariation: "semantic", fallthrough: { variation: 2 } },
      });
      const res = await server.request("PATCH", "/api/flags/search-ranking", { body: { variations: ["classic", "semantic"] } });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        error: {
          code: "CONFLICT",
          message:
            "Flag 'search-ranking' still serves the variations you removed (hybrid: staging search-ranking fallthrough); change those configs first",
          details: { uses: [{ variation: "hybrid", environment: "staging", flag: "search-ranking", where: "fallthrough" }] },
        },
      });
    });
  });
}
