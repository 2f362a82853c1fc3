import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createScratchDatabase } from "./support/scratch-database";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const token = "sy_admin_e2e_replicas_token_0001";
const auth = { authorization: `Bearer ${token}` };

describe.skipIf(inject("postgresUrl") === null)("two replicas on one PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const env = { DATABASE_URL: scratch.url, SWITCHYARD_ADMIN_TOKEN: token };
    // Started together: migrations and first-start seeding must happen exactly once.
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await scratch?.drop();
  });

  it("migrate and seed once when they start together", async () => {
    const envs = (await (await fetch(`${a.url}/api/environments`, { headers: auth })).json()) as { environments: Array<{ key: string }> };
    expect(envs.environments.map((e) => e.key)).toEqual(["development", "staging", "production"]);
    const tokens = (await (await fetch(`${b.url}/api/tokens`, { headers: auth })).json()) as { tokens: Array<{ kind: string }> };
    expect(tokens.tokens.filter((t) => t.kind === "admin")).toHaveLength(1);
  });

  it("a change written through one replica is served by the other", async () => {
    const created = await fetch(`${a.url}/api/tokens`, { method: "POST", headers: auth, body: JSON.stringify({ name: "web", kind: "client", environment: "production" }) });
    const client = ((await created.json()) as { token: string }).token;
    await fetch(`${a.url}/api/flags`, { method: "POST", headers: auth, body: JSON.stringify({ key: "cross-replica" }) });
    await fetch(`${a.url}/api/flags/cross-replica/environments/production`, { method: "PATCH", headers: auth, body: JSON.stringify({ enabled: true }) });

    const evaluateOnB = async () => {
      const res = await fetch(`${b.url}/api/client/evaluate`, { method: "POST", headers: { authorization: `Bearer ${client}` }, body: JSON.stringify({ context: { key: "u1" } }) });
      if (res.status !== 200) return undefined;
      return ((await res.json()) as { flags: Record<string, { value: unknown }> }).flags["cross-replica"]?.value;
    };
    await expect.poll(evaluateOnB, { timeout: 10_000, interval: 100 }).toBe(true);
  });
});
