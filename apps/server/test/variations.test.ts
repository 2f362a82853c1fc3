import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { evaluationCounts, eventCounts } from "../src/store/schema";
import { backends, startTestServer, type TestServer } from "./harness";

interface VariationView {
  id: string;
  name: string;
  value: unknown;
  description?: string;
}

/*
 * Variations have ids that never change: configs store them, so renaming, editing or
 * reordering a flag's variations changes no environment's choice, and removing one that is
 * still served is refused, naming every use.
 */
for (const backend of backends()) {
  describe.skipIf(backend.skip)(`variations on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    let sdk: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      client = await server.token("client", "production");
      sdk = await server.token("server", "production");
    });
    afterAll(() => server?.close());

    const served = async (key: string, context: Record<string, unknown> = { key: "u1" }) =>
      (await server.request("POST", "/api/client/evaluate", { token: client, body: { context } })).body.flags[key];

    it("reordering or editing variations by value keeps what every environment serves", async () => {
      const created = await server.request("POST", "/api/flags", { body: { key: "greeting", variations: ["hi", "bye"] } });
      expect(created.status).toBe(201);
      const [hi, bye] = created.body.variations as VariationView[];
      const put = await server.request("PUT", "/api/flags/greeting/environments/production", {
        body: { enabled: true, fallthrough: { variation: "hi" }, offVariation: 1 },
      });
      expect(put.body).toMatchObject({ offVariation: bye?.id, fallthrough: { variation: hi?.id } });
      expect(await served("greeting")).toEqual({ value: "hi", variation: 0, variant: "hi", reason: "STATIC" });

      // The example: this used to make every environment serve "bye".
      const reordered = await server.request("PATCH", "/api/flags/greeting", { body: { variations: ["bye", "hi"] } });
      expect(reordered.status).toBe(200);
      expect(reordered.body.variations).toEqual([bye, hi]);
      expect(await served("greeting")).toEqual({ value: "hi", variation: 1, variant: "hi", reason: "STATIC" });
    });

    it("renaming a variation or changing its value shows everywhere it is served, and is audited", async () => {
      const flag = (await server.request("GET", "/api/flags/greeting")).body;
      const [bye, hi] = flag.variations as VariationView[];
      const res = await server.request("PATCH", "/api/flags/greeting", {
        body: {
          variations: [bye, { id: hi?.id, name: "hello", value: "hello!", description: "the friendlier one" }],
          comment: "friendlier",
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.variations).toEqual([bye, { id: hi?.id, name: "hello", value: "hello!", description: "the friendlier one" }]);
      expect(await served("greeting")).toEqual({ value: "hello!", variation: 1, variant: "hello", reason: "STATIC" });
      const config = await server.request("GET", "/api/flags/greeting/environments/production");
      expect(config.body.fallthrough).toEqual({ variation: hi?.id });
      const audit = await server.request("GET", "/api/audit?flag=greeting&limit=1");
      expect(audit.body.entries[0]).toMatchObject({
        action: "flag.update",
        comment: "friendlier",
        after: { changedVariations: [{ id: hi?.id, before: { name: "hi", value: "hi" }, after: { name: "hello", value: "hello!" } }] },
      });
    });

    it("refuses to remove a variation a config, rule, rollout or prerequisite uses, naming each (409)", async () => {
      const base = (await server.request("POST", "/api/flags", { body: { key: "colour", variations: ["red", "green", "blue"] } })).body;
      const [red, green, blue] = base.variations as VariationView[];
      await server.request("POST", "/api/flags", { body: { key: "dependent" } });
      await server.request("PUT", "/api/flags/colour/environments/staging", {
        body: {
          enabled: true,
          offVariation: "red",
          rules: [{ id: "vip", conditions: [], serve: { rollout: { variations: ["blue", "green"], weights: [50_000, 50_000] } } }],
          fallthrough: { variation: "green" },
        },
      });
      await server.request("PATCH", "/api/flags/dependent/environments/production", {
        body: { prerequisites: [{ flag: "colour", variation: "blue" }] },
      });
      const res = await server.request("PATCH", "/api/flags/colour", { body: { variations: [red] } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("CONFLICT");
      expect(res.body.error.details.uses).toEqual(
        expect.arrayContaining([
          { variation: "green", environment: "staging", flag: "colour", where: "rule vip" },
          { variation: "green", environment: "staging", flag: "colour", where: "fallthrough" },
          { variation: "blue", environment: "staging", flag: "colour", where: "rule vip" },
          { variation: "blue", environment: "production", flag: "dependent", where: "prerequisites[0]" },
        ]),
      );
      expect(res.body.error.message).toContain("blue: production dependent prerequisites[0]");
      expect((await server.request("GET", "/api/flags/colour")).body.variations).toEqual([red, green, blue]);

      // A variation nothing uses goes; the prerequisite still names blue by its id.
      await server.request("PUT", "/api/flags/colour/environments/staging", {
        body: { enabled: true, offVariation: "red", fallthrough: { variation: "red" } },
      });
      const unused = await server.request("POST", "/api/flags", { body: { key: "spare", variations: ["a", "b", "c"] } });
      const [a, , c] = unused.body.variations as VariationView[];
      const removed = await server.request("PATCH", "/api/flags/spare", { body: { variations: [a, c] } });
      expect(removed.status).toBe(200);
      expect(removed.body.variations).toEqual([a, c]);
      const dependent = await server.request("GET", "/api/flags/dependent/environments/production");
      expect(dependent.body.prerequisites).toEqual([{ flag: "colour", variation: blue?.id }]);
    });

    it("moves recorded counts with their variations when the list is reordered, and drops a removed one's", async () => {
      const created = await server.request("POST", "/api/flags", { body: { key: "counted", variations: ["a", "b", "c"] } });
      expect(created.status).toBe(201);
      const report = await server.request("POST", "/api/sdk/metrics", {
        token: sdk,
        body: {
          instanceId: "counting-instance",
          evaluations: [
            { flag: "counted", variation: 0, count: 10 },
            { flag: "counted", variation: 1, count: 20 },
            { flag: "counted", variation: 2, count: 30 },
          ],
          events: [{ event: "purchase", flag: "counted", variation: 1, count: 5 }],
        },
      });
      expect(report.status).toBe(202);
      const countsByName = async () => {
        const flag = (await server.request("GET", "/api/flags/counted")).body as { variations: VariationView[] };
        const name = (position: number) => flag.variations[position]?.name ?? `?${position}`;
        const evaluations = await server.database.db
          .select({ variation: evaluationCounts.variation, count: evaluationCounts.count })
          .from(evaluationCounts)
          .where(eq(evaluationCounts.flagKey, "counted"));
        const events = await server.database.db
          .select({ variation: eventCounts.variation, count: eventCounts.count })
          .from(eventCounts)
          .where(eq(eventCounts.flagKey, "counted"));
        return {
          evaluations: Object.fromEntries(evaluations.map((r) => [name(r.variation), Number(r.count)])),
          events: Object.fromEntries(events.map((r) => [name(r.variation), Number(r.count)])),
        };
      };
      expect(await countsByName()).toEqual({ evaluations: { a: 10, b: 20, c: 30 }, events: { b: 5 } });

      // Reversed: every count still belongs to the variation it counted.
      expect((await server.request("PATCH", "/api/flags/counted", { body: { variations: ["c", "b", "a"] } })).status).toBe(200);
      expect(await countsByName()).toEqual({ evaluations: { a: 10, b: 20, c: 30 }, events: { b: 5 } });

      // "b" removed (no config serves it): its counts go; the others keep theirs at their new positions.
      expect((await server.request("PATCH", "/api/flags/counted", { body: { variations: ["c", "a"] } })).status).toBe(200);
      expect(await countsByName()).toEqual({ evaluations: { a: 10, c: 30 }, events: {} });
    });

    it("answers 400 naming an unknown variation id, a duplicate name or an unknown reference", async () => {
      const unknownId = await server.request("PATCH", "/api/flags/spare", { body: { variations: [{ id: "nope", value: "z" }] } });
      expect(unknownId.status).toBe(400);
      expect(unknownId.body.error.details).toEqual([
        { path: "variations[0].id", message: expect.stringContaining('unknown variation id "nope"') },
      ]);
      const duplicate = await server.request("POST", "/api/flags", {
        body: {
          key: "twins",
          variations: [
            { name: "same", value: 1 },
            { name: "same", value: 2 },
          ],
        },
      });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.error.details).toEqual([{ path: "variations[1].name", message: "duplicate of variation 0's name" }]);
      const ref = await server.request("PUT", "/api/flags/spare/environments/production", {
        body: { enabled: true, fallthrough: { variation: "purple" } },
      });
      expect(ref.status).toBe(400);
      expect(ref.body.error.details).toEqual([
        { path: "fallthrough.variation", message: expect.stringContaining('variation "purple" does not exist: flag "spare" has a (') },
      ]);
    });

    it("keeps flag metadata: validated, audited, and served to server and client tokens alike", async () => {
      const bad = await server.request("POST", "/api/flags", {
        body: { key: "described", metadata: { owner: "search", nested: { no: true } } },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([
        { path: "metadata.nested", message: "metadata values must be strings, numbers or booleans" },
      ]);
      const emptyKey = await server.request("POST", "/api/flags", { body: { key: "described", metadata: { "": 1 } } });
      expect(emptyKey.status).toBe(400);
      expect(emptyKey.body.error.details).toEqual([
        { path: "metadata.", message: 'metadata keys are 1–64 characters, and not "__proto__"' },
      ]);
      const tooMany = await server.request("POST", "/api/flags", {
        body: { key: "described", metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.details).toEqual([{ path: "metadata", message: "at most 32 metadata keys" }]);

      const created = await server.request("POST", "/api/flags", {
        body: { key: "described", metadata: { owner: "search", ticket: 42, public: true } },
      });
      expect(created.status).toBe(201);
      expect(created.body.metadata).toEqual({ owner: "search", ticket: 42, public: true });
      await server.request("PATCH", "/api/flags/described/environments/production", { body: { enabled: true } });
      for (const token of [client, sdk]) {
        const ofrep = await server.request("POST", "/ofrep/v1/evaluate/flags/described", {
          token,
          body: { context: { targetingKey: "u1" } },
        });
        expect(ofrep.body).toEqual({
          key: "described",
          value: true,
          reason: "STATIC",
          variant: "on",
          metadata: { owner: "search", ticket: 42, public: true },
        });
      }
      const patched = await server.request("PATCH", "/api/flags/described", { body: { metadata: { owner: "discovery" } } });
      expect(patched.body.metadata).toEqual({ owner: "discovery" });
      expect((await served("described")).metadata).toEqual({ owner: "discovery" });
      const audit = await server.request("GET", "/api/audit?flag=described&limit=1");
      expect(audit.body.entries[0]).toMatchObject({
        action: "flag.update",
        before: { metadata: { owner: "search", ticket: 42, public: true } },
        after: { metadata: { owner: "discovery" } },
      });
      const payload = await server.request("GET", "/api/sdk/flags", { token: sdk });
      expect(payload.body.flags.find((f: { key: string }) => f.key === "described")).toMatchObject({
        variationNames: ["on", "off"],
        metadata: { owner: "discovery" },
      });
    });
  });
}
