import { createClient } from "@switchyard/sdk-node";
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
    const redis = inject("redisUrl");
    const env = { DATABASE_URL: scratch.url, SWITCHYARD_ADMIN_TOKEN: token, ...(redis ? { REDIS_URL: redis } : {}) };
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
    const created = await fetch(`${a.url}/api/tokens`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "web", kind: "client", environment: "production" }),
    });
    const client = ((await created.json()) as { token: string }).token;
    await fetch(`${a.url}/api/flags`, { method: "POST", headers: auth, body: JSON.stringify({ key: "cross-replica" }) });
    await fetch(`${a.url}/api/flags/cross-replica/environments/production`, {
      method: "PATCH",
      headers: auth,
      body: JSON.stringify({ enabled: true }),
    });

    const evaluateOnB = async () => {
      const res = await fetch(`${b.url}/api/client/evaluate`, {
        method: "POST",
        headers: { authorization: `Bearer ${client}` },
        body: JSON.stringify({ context: { key: "u1" } }),
      });
      if (res.status !== 200) return undefined;
      return ((await res.json()) as { flags: Record<string, { value: unknown }> }).flags["cross-replica"]?.value;
    };
    await expect.poll(evaluateOnB, { timeout: 10_000, interval: 100 }).toBe(true);
  });

  it("a Node SDK connected to B sees a toggle made on A", async () => {
    const created = await fetch(`${a.url}/api/tokens`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "svc", kind: "server", environment: "production" }),
    });
    const sdkToken = ((await created.json()) as { token: string }).token;
    await fetch(`${a.url}/api/flags`, { method: "POST", headers: auth, body: JSON.stringify({ key: "sdk-cross-replica" }) });
    await expect
      .poll(async () => (await fetch(`${b.url}/api/sdk/flags`, { headers: { authorization: `Bearer ${sdkToken}` } })).status, {
        timeout: 5_000,
      })
      .toBe(200);
    const flags = createClient({ url: b.url, token: sdkToken, logger: { warn: () => {}, error: () => {} } });
    try {
      await flags.ready();
      await expect.poll(() => flags.configVersion() !== undefined).toBe(true);
      const changed = new Promise<string[]>((resolve) => flags.on("change", resolve));
      await fetch(`${a.url}/api/flags/sdk-cross-replica/environments/production`, {
        method: "PATCH",
        headers: auth,
        body: JSON.stringify({ enabled: true }),
      });
      await changed;
      expect(flags.isEnabled("sdk-cross-replica", { key: "u1" })).toBe(true);
    } finally {
      await flags.close();
    }
  });
});
