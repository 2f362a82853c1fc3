import { readFileSync } from "node:fs";
import type { CasesDocument } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`evaluation endpoints on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    let sdk: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name, { demo: true });
      client = await server.token("client", "production");
      sdk = await server.token("server", "production");
    });
    afterAll(() => server?.close());

    it("evaluates every flag for one context and shows values only", async () => {
      const res = await server.request("POST", "/api/client/evaluate", { token: client, body: { context: { key: "user-1" } } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        flags: {
          "maintenance-mode": { value: false, variation: 1, variant: "off", reason: "DISABLED" },
          "new-checkout": { value: true, variation: 0, variant: "on", reason: "TARGETING_MATCH" },
          "search-ranking": { value: expect.any(String), variation: expect.any(Number), variant: expect.any(String), reason: "SPLIT" },
        },
      });
      const enterprise = await server.request("POST", "/api/client/evaluate", {
        token: client,
        body: { context: { targetingKey: "acme-7", country: "DE", plan: "enterprise" } },
      });
      expect(enterprise.body.flags["new-checkout"]).toEqual({ value: true, variation: 0, variant: "on", reason: "TARGETING_MATCH" });
      expect(JSON.stringify(res.body)).not.toContain("beta-testers");
    });

    it("sees a toggle at once", async () => {
      const before = await server.request("POST", "/api/client/evaluate", { token: client, body: { context: { key: "anyone" } } });
      expect(before.body.flags["maintenance-mode"].value).toBe(false);
      await server.request("PATCH", "/api/flags/maintenance-mode/environments/production", { body: { enabled: true } });
      const after = await server.request("POST", "/api/client/evaluate", { token: client, body: { context: { key: "anyone" } } });
      expect(after.body.flags["maintenance-mode"]).toEqual({ value: true, variation: 0, variant: "on", reason: "STATIC" });
    });

    it("rejects a body without a context object", async () => {
      const res = await server.request("POST", "/api/client/evaluate", { token: client, body: { context: "user-1" } });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe("context");
    });

    it("serves the SDK payload with an ETag and 304 when unchanged", async () => {
      const res = await server.request("GET", "/api/sdk/flags", { token: sdk });
      expect(res.status).toBe(200);
      const etag = res.headers.get("etag");
      expect(etag).toMatch(/^W\/"production-[0-9a-f]{12}-\d+"$/);
      expect(res.body.environment).toBe("production");
      expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(["maintenance-mode", "new-checkout", "search-ranking"]);
      expect(res.body.segments.map((s: { key: string }) => s.key)).toEqual(["beta-testers"]);
      const same = await server.request("GET", "/api/sdk/flags", { token: sdk, headers: { "if-none-match": etag ?? "" } });
      expect(same.status).toBe(304);
      await server.request("PATCH", "/api/flags/search-ranking/environments/production", { body: { enabled: false } });
      const changed = await server.request("GET", "/api/sdk/flags", { token: sdk, headers: { "if-none-match": etag ?? "" } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(etag);
    });

    it("an SDK token sees only its own environment", async () => {
      await server.request("PATCH", "/api/flags/new-checkout/environments/staging", { body: { enabled: true } });
      const res = await server.request("GET", "/api/sdk/flags", { token: sdk });
      const checkout = res.body.flags.find((f: { key: string }) => f.key === "new-checkout");
      expect(checkout.rules.map((r: { id: string }) => r.id)).toEqual(["beta", "enterprise-eu"]);
    });
  });

  describe.skipIf(backend.skip)(`core vectors through /api/client/evaluate and OFREP on ${backend.name}`, () => {
    const vectors = JSON.parse(readFileSync(new URL("../../../packages/core/cases.json", import.meta.url), "utf8")) as CasesDocument;

    // A fresh server per suite: suites reuse flag keys with other variations.
    it.each(vectors.suites.map((s) => [s.name, s] as const))("suite %s gives the same results as the core", async (_name, suite) => {
      const server = await startTestServer(backend.name);
      try {
        const token = await server.token("client", "production");
        for (const segment of suite.snapshot.segments) {
          const res = await server.request("POST", "/api/segments", {
            body: { key: segment.key, included: segment.included, excluded: segment.excluded, rules: segment.rules },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
        }
        // Flags first (prerequisites may point forward), then their configs. A flag without
        // names gets its indexes as names, which is what the core reports for it.
        for (const flag of suite.snapshot.flags) {
          const variations = flag.variations.map((value, index) => ({ value, name: flag.variationNames?.[index] ?? String(index) }));
          const res = await server.request("POST", "/api/flags", {
            body: { key: flag.key, variations, ...(flag.metadata === undefined ? {} : { metadata: flag.metadata }) },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
        }
        const refused = new Set<string>();
        for (const flag of suite.snapshot.flags) {
          const { key, variations: _variations, variationNames: _names, metadata: _metadata, version: _version, ...config } = flag;
          const res = await server.request("PUT", `/api/flags/${key}/environments/production`, { body: config });
          // The API refuses configs the core only has to survive (dangling references, cycles,
          // bad patterns); those cases run in the core's own tests.
          if (res.status === 400) {
            expect(res.body.error.code).toBe("VALIDATION_FAILED");
            refused.add(key);
          } else expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(200);
        }
        // A flag whose prerequisite was refused evaluates differently here than in the core.
        let grew = true;
        while (grew) {
          grew = false;
          for (const flag of suite.snapshot.flags) {
            const prerequisites = (flag.prerequisites ?? []) as Array<{ flag: string }>;
            if (!refused.has(flag.key) && prerequisites.some((p) => refused.has(p.flag))) {
              refused.add(flag.key);
              grew = true;
            }
          }
        }
        let ran = 0;
        for (const testCase of suite.cases) {
          if (refused.has(testCase.flag)) continue;
          const res = await server.request("POST", "/api/client/evaluate", { token, body: { context: testCase.context } });
          if (res.status === 400) {
            // Contexts that are not objects, or whose key is not a string, are refused at the HTTP edge.
            expect(res.body.error.details[0].path, testCase.name).toMatch(/^context/);
            continue;
          }
          expect(res.status).toBe(200);
          ran++;
          const got = res.body.flags[testCase.flag] ?? { value: null, variation: null, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" };
          const { value, variation, variant, reason, errorCode, flagMetadata } = testCase.expect;
          expect(got, testCase.name).toEqual({
            value,
            variation,
            ...(variant === undefined ? {} : { variant }),
            reason,
            ...(errorCode ? { errorCode } : {}),
            ...(flagMetadata === undefined ? {} : { metadata: flagMetadata }),
          });
          // OFREP answers from the same engine: the same value, variant and reason (and metadata), or the same error code.
          const ofrep = await server.request("POST", `/ofrep/v1/evaluate/flags/${testCase.flag}`, {
            token,
            body: { context: testCase.context },
          });
          expect(ofrep.body, testCase.name).toMatchObject(
            reason === "ERROR"
              ? { errorCode }
              : { value, reason, ...(variant === undefined ? {} : { variant }), metadata: flagMetadata ?? {} },
          );
        }
        expect(ran).toBeGreaterThan(suite.cases.length / 2);
      } finally {
        await server.close();
      }
    });
  });
}
