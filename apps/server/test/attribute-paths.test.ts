import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

/* Attribute paths at the server edge: refused when malformed, evaluated alike by /api/client and OFREP. */
for (const backend of backends()) {
  describe.skipIf(backend.skip)(`attribute paths on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      client = await server.token("client", "production");
      await server.request("POST", "/api/flags", { body: { key: "corp", variations: ["corp", "other"] } });
    });
    afterAll(() => server?.close());

    const config = (attribute: string, bucketBy = "org.id") => ({
      enabled: true,
      rules: [{ id: "corp", conditions: [{ attribute, operator: "endsWith", values: ["@example.com"] }], serve: { variation: 0 } }],
      fallthrough: { rollout: { bucketBy, weights: [50_000, 50_000] } },
    });

    it("refuses a malformed path in a condition or bucketBy with a 400 naming each", async () => {
      const res = await server.request("PUT", "/api/flags/corp/environments/production", { body: config("user..email", "org\\id") });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: "VALIDATION_FAILED",
          message: expect.any(String),
          details: [
            {
              path: "rules[0].conditions[0].attribute",
              message:
                'invalid attribute path "user..email": key 2 is empty: keys are separated by single dots (write \\. for a dot inside a key)',
            },
            {
              path: "fallthrough.rollout.bucketBy",
              message: 'invalid attribute path "org\\id": has \\i at position 4: inside a key write \\. for a dot and \\\\ for a backslash',
            },
          ],
        },
      });
      const segment = await server.request("POST", "/api/segments", {
        body: { key: "bad", included: [], excluded: [], rules: [{ conditions: [{ attribute: ".plan", operator: "exists", values: [] }] }] },
      });
      expect(segment.status).toBe(400);
      expect(segment.body.error.details).toEqual([
        {
          path: "rules[0].conditions[0].attribute",
          message: 'invalid attribute path ".plan": key 1 is empty: keys are separated by single dots (write \\. for a dot inside a key)',
        },
      ]);
    });

    it("serves nested attributes alike through /api/client/evaluate and OFREP", async () => {
      const put = await server.request("PUT", "/api/flags/corp/environments/production", { body: config("user.email") });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const contexts = [
        { targetingKey: "u1", user: { email: "ann@example.com" }, org: { id: "acme" } },
        { targetingKey: "u2", user: { email: "bob@other.org" }, org: { id: "acme" } },
        { targetingKey: "u3", user: { email: "cy@other.org" }, org: { id: 7 } },
        { targetingKey: "u4", "user.email": "dot@example.com", org: { id: "initech" } },
        { targetingKey: "u5", user: "ann@example.com" },
      ];
      const served = [];
      for (const context of contexts) {
        const viaClient = await server.request("POST", "/api/client/evaluate", { token: client, body: { context } });
        const viaOfrep = await server.request("POST", "/ofrep/v1/evaluate/flags/corp", { token: client, body: { context } });
        expect(viaClient.status).toBe(200);
        const detail = viaClient.body.flags.corp;
        if (detail.reason === "ERROR") {
          expect(viaOfrep.body).toMatchObject({ key: "corp", errorCode: "TARGETING_KEY_MISSING" });
        } else {
          expect(viaOfrep.body).toMatchObject({ key: "corp", value: detail.value, reason: detail.reason });
        }
        served.push(detail.reason === "ERROR" ? detail.errorCode : `${detail.value}/${detail.reason}`);
      }
      // Both acme contexts bucket alike (same org.id); u5's user is no object, so it has no org.id either.
      expect(served[0]).toBe("corp/TARGETING_MATCH");
      expect(served[1]).toMatch(/^(corp|other)\/SPLIT$/);
      expect(served[3]).toBe("corp/TARGETING_MATCH");
      expect(served[4]).toBe("TARGETING_KEY_MISSING");
    });

    it("keeps the nested values paths read in the seen-context sample, nested, and nothing else", async () => {
      const put = await server.request("PUT", "/api/flags/corp/environments/staging", { body: config("user.email") });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const web = await server.token("client", "staging");
      const sdk = await server.token("server", "staging");
      const context = { targetingKey: "s1", user: { email: "ann@example.com", phone: "+49 30 1" }, org: { id: "acme", name: "Acme" } };
      expect((await server.request("POST", "/api/client/evaluate", { token: web, body: { context } })).status).toBe(200);
      const report = await server.request("POST", "/api/sdk/metrics", {
        token: sdk,
        body: {
          instanceId: "i-1",
          contexts: [{ context: { key: "s2", user: { email: "bo@example.com", ssn: "x" }, org: { id: 7 } }, count: 3 }],
        },
      });
      expect(report.status).toBe(202);
      const preview = await server.request("POST", "/api/flags/corp/environments/staging/preview", {
        body: { enabled: true, rules: [], fallthrough: { variation: 1 } },
      });
      expect(preview.status).toBe(200);
      const sampled = preview.body.examples.map((example: { context: unknown }) => example.context);
      expect(sampled).toEqual(
        expect.arrayContaining([
          { key: "s1", user: { email: "ann@example.com" }, org: { id: "acme" } },
          { key: "s2", user: { email: "bo@example.com" }, org: { id: 7 } },
        ]),
      );
      expect(sampled).toHaveLength(2);
      expect(preview.body.unsampledAttributes).toEqual([]);
    });
  });
}
