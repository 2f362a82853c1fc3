import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

const path = "/api/flags/checkout/environments/production";
const rolloutConfig = {
  enabled: true,
  rules: [
    {
      id: "eu-enterprise",
      conditions: [
        { attribute: "country", operator: "in", values: ["DE", "FR"] },
        { attribute: "plan", operator: "in", values: ["enterprise"] },
      ],
      serve: { variation: 0 },
    },
  ],
  fallthrough: { rollout: { bucketBy: "key", weights: [25000, 75000] } },
};

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`flag configs on ${backend.name}`, () => {
    let server: TestServer;
    let on: string;
    let off: string;
    /** The rollout as stored: each weight with the id of its variation, in bucket order. */
    let storedRollout: unknown;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      const flag = await server.request("POST", "/api/flags", { body: { key: "checkout" } });
      [on, off] = flag.body.variations.map((v: { id: string }) => v.id);
      storedRollout = { rollout: { bucketBy: "key", variations: [on, off], weights: [25000, 75000] } };
    });
    afterAll(() => server?.close());

    it("PUT replaces the config, bumps the version by one and returns it with its ETag", async () => {
      const res = await server.request("PUT", path, { body: { ...rolloutConfig, comment: "launch to EU enterprise + 25%" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("etag")).toBe('"2"');
      expect(res.body).toEqual({
        flag: "checkout",
        environment: "production",
        version: 2,
        enabled: true,
        offVariation: off,
        rules: [
          {
            ...rolloutConfig.rules[0],
            conditions: rolloutConfig.rules[0]!.conditions.map((c) => ({ ...c, negate: false })),
            serve: { variation: on },
          },
        ],
        fallthrough: storedRollout,
        prerequisites: [],
        updatedAt: expect.any(String),
      });
    });

    it("PATCH changes only the fields sent", async () => {
      const res = await server.request("PATCH", path, { body: { enabled: false }, headers: { "if-match": '"2"' } });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(3);
      expect(res.body.enabled).toBe(false);
      expect(res.body.rules).toHaveLength(1);
      expect(res.body.fallthrough).toEqual(storedRollout);
    });

    it("answers 409 on a stale If-Match and keeps the newer write", async () => {
      const res = await server.request("PATCH", path, { body: { enabled: true }, headers: { "if-match": "2" } });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        error: {
          code: "VERSION_CONFLICT",
          message: "Flag 'checkout' in 'production' is at version 3, not 2; reload it and apply your change again",
          details: { currentVersion: 3 },
        },
      });
      const current = await server.request("GET", path);
      expect(current.body.version).toBe(3);
      expect(current.body.enabled).toBe(false);
    });

    it("keeps every version and restores one as a new version", async () => {
      const versions = await server.request("GET", `${path}/versions`);
      expect(versions.status).toBe(200);
      expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
      expect(versions.body.versions[1]).toMatchObject({
        version: 2,
        enabled: true,
        comment: "launch to EU enterprise + 25%",
        actor: { name: "first admin" },
      });

      const restored = await server.request("POST", `${path}/versions/2/restore`, { body: { comment: "back to the launch config" } });
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ version: 4, enabled: true, fallthrough: storedRollout });
      const missing = await server.request("POST", `${path}/versions/99/restore`);
      expect(missing.status).toBe(404);
    });

    it("names each problem of an invalid config with its path", async () => {
      const res = await server.request("PUT", path, {
        body: {
          enabled: true,
          rules: [
            { conditions: [{ attribute: "plan", operator: "like", values: ["x"] }], serve: { variation: 0 } },
            { conditions: [], segments: ["no-such-segment"], serve: { variation: 5 } },
          ],
          fallthrough: { rollout: { weights: [50000, 40000] } },
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toContain("rules[0].conditions[0].operator");
      expect(paths).toContain("fallthrough.rollout.weights");

      const refs = await server.request("PUT", path, {
        body: {
          enabled: true,
          rules: [{ conditions: [], segments: ["no-such-segment"], serve: { variation: 5 } }],
          fallthrough: { variation: 0 },
        },
      });
      expect(refs.status).toBe(400);
      expect(refs.body.error.details).toEqual(
        expect.arrayContaining([
          { path: "rules[0].segments[0]", message: expect.stringContaining("no-such-segment") },
          { path: "rules[0].serve.variation", message: expect.any(String) },
        ]),
      );
    });

    it("refuses unknown fields, a missing prerequisite flag and prerequisite cycles", async () => {
      const unknown = await server.request("PUT", path, { body: { enabled: true, fallthrough: { variation: 0 }, colour: "red" } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain("colour");

      const missing = await server.request("PATCH", path, { body: { prerequisites: [{ flag: "ghost", variation: 0 }] } });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details[0].path).toBe("prerequisites[0].flag");

      await server.request("POST", "/api/flags", { body: { key: "payments-v2" } });
      const first = await server.request("PATCH", "/api/flags/payments-v2/environments/production", {
        body: { prerequisites: [{ flag: "checkout", variation: 0 }] },
      });
      expect(first.status).toBe(200);
      const cycle = await server.request("PATCH", path, { body: { prerequisites: [{ flag: "payments-v2", variation: 0 }] } });
      expect(cycle.status).toBe(400);
      expect(cycle.body.error.message).toContain("cycle");
    });

    it("loses no write when many writers race without If-Match, and exactly one wins with it", async () => {
      await server.request("POST", "/api/flags", { body: { key: "contended" } });
      const target = "/api/flags/contended/environments/staging";
      const blind = await Promise.all(
        Array.from({ length: 10 }, (_, i) => server.request("PATCH", target, { body: { enabled: i % 2 === 0, comment: `writer ${i}` } })),
      );
      expect(blind.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(blind.map((r) => r.body.version)).size).toBe(10);
      const history = await server.request("GET", `${target}/versions`);
      expect(history.body.versions.map((v: { version: number }) => v.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);

      const guarded = await Promise.all(
        Array.from({ length: 8 }, () => server.request("PATCH", target, { body: { enabled: true }, headers: { "if-match": "11" } })),
      );
      expect(guarded.filter((r) => r.status === 200)).toHaveLength(1);
      expect(guarded.filter((r) => r.status === 409)).toHaveLength(7);
    });

    it("answers 404 for an unknown environment and 400 for a malformed If-Match", async () => {
      const env = await server.request("GET", "/api/flags/checkout/environments/moon");
      expect(env.body).toEqual({ error: { code: "NOT_FOUND", message: "Environment 'moon' does not exist" } });
      const header = await server.request("PATCH", path, { body: { enabled: true }, headers: { "if-match": "yesterday" } });
      expect(header.status).toBe(400);
    });
  });
}
