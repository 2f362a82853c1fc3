import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

// Checks that read before they write (the last admin token, a segment in use, a prerequisite
// cycle, an archived prerequisite) must hold when two writers race on PostgreSQL, where each
// request runs on its own connection. Each race is repeated: one lost round is a failure.
const ROUNDS = 15;

const postgres = backends().find((b) => b.name === "postgres")!;

describe.skipIf(postgres.skip)("checks under concurrent writes on postgres", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("postgres");
  });
  afterAll(() => server?.close());

  it("two admins deleting each other's token at once leave one admin token", async () => {
    const own = await server.request("POST", "/api/tokens", { body: { kind: "admin", name: "racer-0" } });
    let survivor: string = own.body.token;
    // The harness's token goes first, so the race is always over the last two.
    const harness = (await server.request("GET", "/api/tokens", { token: survivor })).body.tokens.find(
      (t: { kind: string; id: string }) => t.kind === "admin" && t.id !== own.body.id,
    );
    expect((await server.request("DELETE", `/api/tokens/${harness.id}`, { token: survivor })).status).toBe(200);
    let survivorId: string = own.body.id;
    for (let round = 1; round <= ROUNDS; round++) {
      const other = await server.request("POST", "/api/tokens", { body: { kind: "admin", name: `racer-${round}` }, token: survivor });
      expect(other.status).toBe(201);
      const [first, second] = await Promise.all([
        server.request("DELETE", `/api/tokens/${other.body.id}`, { token: survivor }),
        server.request("DELETE", `/api/tokens/${survivorId}`, { token: other.body.token }),
      ]);
      expect([first.status, second.status].sort(), `round ${round}`).toEqual([200, 409]);
      if (second.status === 200) [survivor, survivorId] = [other.body.token, other.body.id];
      const left = (await server.request("GET", "/api/tokens", { token: survivor })).body.tokens.filter(
        (t: { kind: string }) => t.kind === "admin",
      );
      expect(left.map((t: { id: string }) => t.id)).toEqual([survivorId]);
    }
  });
});

describe.skipIf(postgres.skip)("checks under concurrent flag and segment writes on postgres", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("postgres");
  });
  afterAll(() => server?.close());

  it("a segment deleted while a config starts using it: either the delete or the write is refused", async () => {
    await server.request("POST", "/api/flags", { body: { key: "seg-race" } });
    for (let round = 0; round < ROUNDS; round++) {
      const key = `race-${round}`;
      expect((await server.request("POST", "/api/segments", { body: { key, included: ["u1"], excluded: [], rules: [] } })).status).toBe(
        201,
      );
      const [deleted, written] = await Promise.all([
        server.request("DELETE", `/api/segments/${key}`),
        server.request("PUT", "/api/flags/seg-race/environments/staging", {
          body: {
            enabled: true,
            rules: [{ id: "r", segments: [key], conditions: [], serve: { variation: 0 } }],
            fallthrough: { variation: 1 },
          },
        }),
      ]);
      const statuses = `delete ${deleted.status}, write ${written.status}`;
      expect(deleted.status < 300 && written.status < 300, `round ${round}: both succeeded (${statuses})`).toBe(false);
      const config = await server.request("GET", "/api/flags/seg-race/environments/staging");
      const segment = await server.request("GET", `/api/segments/${key}`);
      // A config that names a segment always finds it.
      if (config.body.rules.some((r: { segments?: string[] }) => r.segments?.includes(key))) expect(segment.status, statuses).toBe(200);
    }
  });

  it("two writes that would each close half of a prerequisite cycle: at most one lands", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [`cycle-a-${round}`, `cycle-b-${round}`];
      await server.request("POST", "/api/flags", { body: { key: a } });
      await server.request("POST", "/api/flags", { body: { key: b } });
      const [first, second] = await Promise.all([
        server.request("PATCH", `/api/flags/${a}/environments/staging`, { body: { prerequisites: [{ flag: b, variation: 0 }] } }),
        server.request("PATCH", `/api/flags/${b}/environments/staging`, { body: { prerequisites: [{ flag: a, variation: 0 }] } }),
      ]);
      expect(first.status < 300 && second.status < 300, `round ${round}: both landed, a cycle ${a} ↔ ${b}`).toBe(false);
      expect([first.status, second.status].sort()).toEqual([200, 400]);
    }
  });

  it("a flag archived while another config makes it a prerequisite: either the archive or the write is refused", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [prerequisite, dependent] = [`pre-${round}`, `dep-${round}`];
      await server.request("POST", "/api/flags", { body: { key: prerequisite } });
      await server.request("POST", "/api/flags", { body: { key: dependent } });
      const [archived, written] = await Promise.all([
        server.request("PATCH", `/api/flags/${prerequisite}`, { body: { archived: true } }),
        server.request("PATCH", `/api/flags/${dependent}/environments/staging`, {
          body: { prerequisites: [{ flag: prerequisite, variation: 0 }] },
        }),
      ]);
      expect(archived.status < 300 && written.status < 300, `round ${round}: archived a prerequisite in use`).toBe(false);
    }
  });
});
