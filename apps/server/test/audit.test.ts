import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`audit log on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
    });
    afterAll(() => server?.close());

    it("records who changed what, before and after, with the comment", async () => {
      const flag = await server.request("POST", "/api/flags", { body: { key: "audited" } });
      const [on, off] = flag.body.variations.map((v: { id: string }) => v.id);
      const second = await server.request("POST", "/api/tokens", { body: { name: "release bot", kind: "admin" } });
      await server.request("PATCH", "/api/flags/audited/environments/staging", {
        token: second.body.token,
        body: { enabled: true, comment: "turn on for QA" },
      });
      const res = await server.request("GET", "/api/audit?flag=audited");
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.entries).toHaveLength(2);
      expect(res.body.entries[0]).toEqual({
        id: expect.any(Number),
        at: expect.any(String),
        actor: { tokenId: second.body.id, name: "release bot" },
        action: "flag-config.update",
        resource: { type: "flag-config", key: "audited/staging" },
        flag: "audited",
        environment: "staging",
        before: { version: 1, enabled: false, offVariation: off, rules: [], fallthrough: { variation: on }, prerequisites: [] },
        after: { version: 2, enabled: true, offVariation: off, rules: [], fallthrough: { variation: on }, prerequisites: [] },
        comment: "turn on for QA",
        deployId: null,
      });
      expect(res.body.entries[1]).toMatchObject({ action: "flag.create", actor: { name: "first admin" }, before: null });
    });

    it("answers 304 to If-None-Match until something changes", async () => {
      const first = await server.request("GET", "/api/audit?limit=1");
      const tag = first.headers.get("etag");
      expect(tag).toMatch(/^"[^"]+"$/);
      const same = await server.request("GET", "/api/audit?limit=1", { headers: { "If-None-Match": tag ?? "" } });
      expect(same.status).toBe(304);
      await server.request("POST", "/api/flags", { body: { key: "etag-watched" } });
      const changed = await server.request("GET", "/api/audit?limit=1", { headers: { "If-None-Match": tag ?? "" } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(tag);
      expect(changed.body.entries[0]).toMatchObject({ action: "flag.create", flag: "etag-watched" });
    });

    it("pages with a cursor, newest first, without gaps or repeats", async () => {
      for (let i = 0; i < 7; i++)
        await server.request("PATCH", "/api/flags/audited/environments/development", {
          body: { enabled: i % 2 === 0, comment: `change ${i}` },
        });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { entries: Array<{ comment: string }>; nextCursor: string | null } } = await server.request(
          "GET",
          `/api/audit?flag=audited&environment=development&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...res.body.entries.map((e) => e.comment));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(["change 6", "change 5", "change 4", "change 3", "change 2", "change 1", "change 0"]);
    });

    it("audits environments, segments and tokens too", async () => {
      await server.request("POST", "/api/environments", { body: { key: "qa", name: "QA" } });
      await server.request("POST", "/api/segments", { body: { key: "staff", included: ["u1"], excluded: [], rules: [] } });
      const res = await server.request("GET", "/api/audit?limit=200");
      const actions = res.body.entries.map((e: { action: string }) => e.action);
      expect(actions.slice(0, 2)).toEqual(["segment.create", "environment.create"]);
      expect(actions).toContain("token.create");
      expect(JSON.stringify(res.body)).not.toMatch(/sy_admin_[0-9A-Za-z]{32}/);
    });

    it("rejects a forged cursor and an out-of-range limit with 400", async () => {
      expect((await server.request("GET", "/api/audit?cursor=bm9wZQ")).status).toBe(400);
      const limit = await server.request("GET", "/api/audit?limit=5000");
      expect(limit.status).toBe(400);
      expect(limit.body.error.details[0].path).toBe("limit");
    });
  });
}
