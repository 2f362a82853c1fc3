import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`bad input on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await server.request("POST", "/api/flags", { body: { key: "f" } });
    });
    afterAll(() => server?.close());

    it("malformed JSON is a 400 that says so", async () => {
      const res = await server.request("POST", "/api/flags", { rawBody: '{"key": "x",', headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("INVALID_JSON");
      expect(res.body.error.message).toMatch(/^The request body is not valid JSON: /);
    });

    it("an empty body is a 400", async () => {
      const res = await server.request("POST", "/api/flags", { rawBody: "" });
      expect(res.body).toEqual({ error: { code: "INVALID_JSON", message: "The request body is empty; send the flag as JSON" } });
    });

    it("a body that is JSON but not an object is a 400 naming the problem", async () => {
      const res = await server.request("POST", "/api/flags", { body: [1, 2] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
    });

    it("accepts JSON sent with curl's default form content type", async () => {
      const res = await server.request("POST", "/api/flags", {
        rawBody: '{"key":"from-curl"}',
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status).toBe(201);
    });

    it("a huge body is a 413", async () => {
      const res = await server.request("POST", "/api/flags", {
        rawBody: JSON.stringify({ key: "big", description: "x".repeat(1_100_000) }),
      });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    });

    it.each([
      ["weights not summing to 100000", { enabled: true, fallthrough: { rollout: { weights: [10, 20] } } }, "fallthrough.rollout.weights"],
      ["a variation index out of range", { enabled: true, fallthrough: { variation: 7 } }, "fallthrough.variation"],
      ["a negative variation index", { enabled: true, fallthrough: { variation: -1 } }, "fallthrough.variation"],
      [
        "an unknown operator",
        {
          enabled: true,
          rules: [{ conditions: [{ attribute: "a", operator: "regex", values: [] }], serve: { variation: 0 } }],
          fallthrough: { variation: 0 },
        },
        "rules[0].conditions[0].operator",
      ],
      [
        "a non-number for lt",
        {
          enabled: true,
          rules: [{ conditions: [{ attribute: "a", operator: "lt", values: ["ten"] }], serve: { variation: 0 } }],
          fallthrough: { variation: 0 },
        },
        "rules[0].conditions[0].values[0]",
      ],
      [
        "an invalid regular expression",
        {
          enabled: true,
          rules: [{ conditions: [{ attribute: "a", operator: "matches", values: ["(unclosed"] }], serve: { variation: 0 } }],
          fallthrough: { variation: 0 },
        },
        "rules[0].conditions[0].values[0]",
      ],
      ["a missing fallthrough", { enabled: true }, "fallthrough"],
      ["enabled as a string", { enabled: "yes", fallthrough: { variation: 0 } }, "enabled"],
      [
        "duplicate rule ids",
        {
          enabled: true,
          rules: [
            { id: "a", conditions: [], serve: { variation: 0 } },
            { id: "a", conditions: [], serve: { variation: 1 } },
          ],
          fallthrough: { variation: 0 },
        },
        "rules[1].id",
      ],
    ])("a config with %s is a 400 naming %s", async (_what, body, path) => {
      const res = await server.request("PUT", "/api/flags/f/environments/production", { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      const after = await server.request("GET", "/api/flags/f/environments/production");
      expect(after.body.version).toBe(1);
    });

    it("variations of mixed types or with duplicates are refused", async () => {
      const mixed = await server.request("POST", "/api/flags", { body: { key: "mixed", variations: ["a", 1] } });
      expect(mixed.status).toBe(400);
      const dup = await server.request("POST", "/api/flags", { body: { key: "dup", variations: ["a", "a"] } });
      expect(dup.status).toBe(400);
    });

    it("deeply nested JSON is a 400, not a stack overflow", async () => {
      const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
      const asVariations = await server.request("POST", "/api/flags", { rawBody: `{"key":"deep","variations":[${deep},[]]}` });
      expect(asVariations.status).toBe(400);
      expect(asVariations.body.error.details[0].message).toBe("nests deeper than 32 levels");
      const client = await server.token("client", "production");
      const asContext = await server.request("POST", "/api/client/evaluate", {
        token: client,
        rawBody: `{"context":{"key":"u","a":${deep}}}`,
      });
      expect(asContext.status).toBe(400);
      const inStream = await server.request(
        "GET",
        `/api/client/stream?context=${Buffer.from(`{"a":${"[".repeat(100)}${"]".repeat(100)}}`).toString("base64url")}&token=${client}`,
        { token: null },
      );
      expect(inStream.status).toBe(400);
    });

    it("NUL characters and out-of-range paging are 400s", async () => {
      const nul = await server.request("POST", "/api/flags", { body: { key: "n", description: "a\u0000b" } });
      expect(nul.body.error.details).toEqual([{ path: "description", message: "must not contain the NUL character (\\u0000)" }]);
      const offset = await server.request("GET", "/api/flags/f/environments/production/versions?offset=1e20");
      expect(offset.status).toBe(400);
    });

    it("strings with an unpaired UTF-16 surrogate are 400s naming the field, wherever they are", async () => {
      const tags = await server.request("PATCH", "/api/flags/f", { body: { tags: ["\udc00x"] } });
      expect(tags).toMatchObject({ status: 400 });
      expect(tags.body).toEqual({
        error: {
          code: "VALIDATION_FAILED",
          message: "Invalid flag: tags[0]: must not contain an unpaired UTF-16 surrogate (\\udc00 at index 0)",
          details: [{ path: "tags[0]", message: "must not contain an unpaired UTF-16 surrogate (\\udc00 at index 0)" }],
        },
      });
      // A high surrogate at the end of a key; a correct pair (😀 is \ud83d\ude00) is fine.
      const key = await server.request("POST", "/api/segments", {
        body: { key: "s2", included: [], excluded: [], rules: [{ conditions: [{ attribute: "a\ud83d", operator: "in", values: ["x"] }] }] },
      });
      expect(key.body.error.details).toEqual([
        { path: "rules[0].conditions[0].attribute", message: "must not contain an unpaired UTF-16 surrogate (\\ud83d at index 1)" },
      ]);
      const pair = await server.request("PATCH", "/api/flags/f", { body: { tags: ["\ud83d\ude00"] } });
      expect(pair.status).toBe(200);
      expect(pair.body.tags).toEqual(["😀"]);
    });

    it("a committed write is answered as a success even if this replica's refresh fails", async () => {
      const refresh = vi.spyOn(server.live, "refresh").mockRejectedValueOnce(new Error("database connection lost"));
      const res = await server.request("PATCH", "/api/flags/f/environments/staging", { body: { enabled: true } });
      refresh.mockRestore();
      expect(res.status).toBe(200);
      await server.live.refresh(); // what the catch-up tick does
      const config = await server.request("GET", "/api/flags/f/environments/staging");
      expect(config.body).toMatchObject({ enabled: true, version: 2 });
    });

    it("unknown routes are a JSON 404", async () => {
      const res = await server.request("GET", "/api/nothing-here");
      expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: "No route for GET /api/nothing-here" } });
    });

    it("hostile strings never produce a 500", async () => {
      const hostile = ["'; drop table flags; --", "\u0000", "../../etc/passwd", "%00", "a".repeat(5000), "😀"];
      for (const value of hostile) {
        for (const [method, path, body] of [
          ["GET", `/api/flags/${encodeURIComponent(value)}`, undefined],
          ["GET", `/api/flags/f/environments/${encodeURIComponent(value)}`, undefined],
          ["POST", "/api/flags", { key: value }],
          [
            "POST",
            "/api/segments",
            {
              key: "s",
              included: [value],
              excluded: [],
              rules: [{ conditions: [{ attribute: value, operator: "matches", values: [value] }] }],
            },
          ],
          ["GET", `/api/audit?flag=${encodeURIComponent(value)}&cursor=${encodeURIComponent(value)}`, undefined],
        ] as const) {
          const res = await server.request(method, path, body === undefined ? {} : { body });
          expect(res.status, `${method} ${path}`).toBeLessThan(500);
        }
      }
    });
  });
}
