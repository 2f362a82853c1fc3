import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminApi } from "./support/admin-api";
import { runCli } from "./support/cli";
import { eventually } from "./support/eventually";
import { freePort, startRelayProcess, startServerProcess, type ServerProcess } from "./support/server-process";
import { SseReader } from "./support/sse-client";

const ADMIN = "sy_admin_e2e_relay_token_0000001";
const FLAG = "relayed";
const quiet = { warn: () => {}, error: () => {} };

/** The value of one gauge in a Prometheus text exposition. */
function gauge(text: string, line: string): number {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return Number(found?.split(" ")[1] ?? Number.NaN);
}

/**
 * A `switchyard-relay` process between the real server and Node SDKs, client streams and OFREP:
 * what a user running relays would notice — changes arrive, revocations cut off, outages of the
 * server or of the relay itself are ridden out, and deploys still count every instance.
 */
describe("switchyard-relay between the server and SDKs", () => {
  let server: ServerProcess;
  let relay: ServerProcess;
  let dataDir: string;
  let relayDir: string;
  let serverPort: number;
  let relayPort: number;
  let relayToken: string;
  let sdkToken: string;
  let clientToken: string;
  const clients: SwitchyardClient[] = [];
  const spares: ServerProcess[] = [];
  const api = adminApi(() => server, ADMIN);
  const startServer = () =>
    startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false", PORT: String(serverPort) });
  const startRelay = () =>
    startRelayProcess({
      SWITCHYARD_URL: `http://127.0.0.1:${serverPort}`,
      SWITCHYARD_RELAY_TOKEN: relayToken,
      SWITCHYARD_RELAY_ID: "relay-e2e",
      SWITCHYARD_RELAY_BACKUP: join(relayDir, "backup.json"),
      PORT: String(relayPort),
    });
  const sdk = async (token = sdkToken) => {
    const client = createClient({ url: relay.url, token, logger: quiet, metricsIntervalMs: 1_000 });
    clients.push(client);
    await client.ready();
    return client;
  };
  const toggle = (enabled: boolean) => api("PATCH", `/api/flags/${FLAG}/environments/staging`, { enabled });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-relay-e2e-"));
    relayDir = mkdtempSync(join(tmpdir(), "switchyard-relay-e2e-backup-"));
    [serverPort, relayPort] = [await freePort(), await freePort()];
    server = await startServer();
    await api("POST", "/api/flags", { key: FLAG });
    relayToken = String(
      (await api("POST", "/api/tokens", { name: "edge", kind: "relay", environments: ["staging", "production"] })).body.token,
    );
    sdkToken = String((await api("POST", "/api/tokens", { name: "checkout", kind: "server", environment: "staging" })).body.token);
    clientToken = String((await api("POST", "/api/tokens", { name: "web", kind: "client", environment: "staging" })).body.token);
    relay = await startRelay();
    await eventually(
      async () => (await fetch(`${relay.url}/readyz`)).json() as Promise<Record<string, unknown>>,
      (r) => r.status === "current",
    );
  }, 120_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all(spares.map((p) => p.stop()));
    await relay?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(relayDir, { recursive: true, force: true });
  });

  it("toggles reach Node SDKs behind the relay, and the server holds only the relay's streams", async () => {
    const sdks = await Promise.all([sdk(), sdk(), sdk()]);
    expect(sdks.map((c) => c.isEnabled(FLAG, { key: "u1" }))).toEqual([false, false, false]);
    await toggle(true);
    await eventually(
      async () => sdks.map((c) => c.isEnabled(FLAG, { key: "u1" })),
      (values) => values.every(Boolean),
      5_000,
    );
    const serverGauges = await (await fetch(`${server.url}/metrics`)).text();
    const relayGauges = await (await fetch(`${relay.url}/metrics`)).text();
    // One upstream per environment of the relay token; the SDKs' streams are the relay's.
    expect(gauge(serverGauges, 'switchyard_open_streams{kind="sdk"}')).toBe(2);
    expect(gauge(relayGauges, 'switchyard_open_streams{kind="sdk"}')).toBe(3);
    // OFREP through the relay evaluates the same config.
    const ofrep = await fetch(`${relay.url}/ofrep/v1/evaluate/flags/${FLAG}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sdkToken}`, "content-type": "application/json" },
      body: JSON.stringify({ context: { targetingKey: "u1" } }),
    });
    expect(await ofrep.json()).toMatchObject({ key: FLAG, value: true });
    // Only the SDK, client and OFREP endpoints exist at a relay.
    expect((await fetch(`${relay.url}/api/flags`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
  }, 30_000);

  it("client streams through the relay re-evaluate only their own context", async () => {
    const open = async (key: string) => {
      const context = Buffer.from(JSON.stringify({ key })).toString("base64url");
      const stream = new SseReader(await fetch(`${relay.url}/api/client/stream?context=${context}&token=${clientToken}`));
      await stream.waitFor(1);
      return stream;
    };
    const rule = (key: string) => ({
      rules: [{ id: "not-them", conditions: [{ attribute: "key", operator: "in", values: [key] }], serve: { variation: 1 } }],
    });
    await api("PATCH", `/api/flags/${FLAG}/environments/staging`, { enabled: true, ...rule("nobody") });
    await eventually(
      async () => (await open("carol")).json(0).flags[FLAG].reason,
      (reason) => reason === "DEFAULT",
    );
    const [alice, bob] = [await open("alice"), await open("bob")];
    try {
      expect([alice.json(0).flags[FLAG].value, bob.json(0).flags[FLAG].value]).toEqual([true, true]);
      // A rule that serves "off" to alice alone: only alice's stream changes.
      await api("PATCH", `/api/flags/${FLAG}/environments/staging`, rule("alice"));
      await alice.waitFor(2);
      expect(alice.json(1)).toMatchObject({ flags: { [FLAG]: { value: false } } });
      expect(alice.messages).toHaveLength(2);
      // Bob's stream got nothing, even after another change that leaves him as he was.
      await api("PATCH", `/api/flags/${FLAG}/environments/staging`, rule("carol"));
      await alice.waitFor(3);
      await new Promise((r) => setTimeout(r, 300));
      expect(bob.messages, JSON.stringify(bob.messages)).toHaveLength(1);
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 30_000);

  it("cuts off a deleted token within a second: its stream ends and requests get 401", async () => {
    const doomed = String((await api("POST", "/api/tokens", { name: "doomed", kind: "server", environment: "staging" })).body.token);
    const flags = () => fetch(`${relay.url}/api/sdk/flags`, { headers: { authorization: `Bearer ${doomed}` } });
    // A new token works at the relay once its next poll of the token list has it.
    await eventually(flags, (res) => res.status === 200, 5_000);
    const stream = new SseReader(await fetch(`${relay.url}/api/sdk/stream`, { headers: { authorization: `Bearer ${doomed}` } }));
    await stream.waitFor(1);
    const id = (await api("GET", "/api/tokens")).body.tokens.find((t: { name: string }) => t.name === "doomed").id;
    const deletedAt = Date.now();
    expect((await api("DELETE", `/api/tokens/${id}`)).status).toBe(200);
    await stream.waitUntil(() => stream.ended, 5_000);
    const cutOffMs = Date.now() - deletedAt;
    // The server tells the relay's upstream streams at once (`event: tokens`); polling every second is only the fallback.
    expect(cutOffMs).toBeLessThan(1_000);
    expect((await flags()).status).toBe(401);
    process.stdout.write(`[relay] deleted token cut off after ${cutOffMs} ms\n`);
  }, 30_000);

  it("a rehearsed flag-off counts the SDKs behind the relay as acknowledged, and instances name the relay", async () => {
    const sdks = await Promise.all(Array.from({ length: 5 }, () => sdk()));
    await toggle(true);
    await eventually(
      async () => sdks.every((c) => c.isEnabled(FLAG, { key: "u1" })),
      (all) => all,
    );
    const run = await runCli(["rehearse", "--env", "staging", "--flag", FLAG, "--json"], {
      SWITCHYARD_URL: server.url,
      SWITCHYARD_TOKEN: ADMIN,
    });
    expect(run.err).toBe("");
    const rehearsal = JSON.parse(run.out);
    expect(rehearsal).toMatchObject({
      status: "passed",
      flagOff: { connected: 5, acknowledged: 5, late: [] },
      restore: { connected: 5, acknowledged: 5, late: [] },
    });
    expect(run.code).toBe(0);
    process.stdout.write(
      `[relay] rehearsal behind a relay: flag-off p50 ${rehearsal.flagOff.p50Ms} ms max ${rehearsal.flagOff.maxMs} ms; restore p50 ${rehearsal.restore.p50Ms} ms max ${rehearsal.restore.maxMs} ms\n`,
    );
    const instances = (await api("GET", "/api/environments/staging/instances")).body.instances as Array<{
      instanceId: string;
      relayId: string | null;
      connected: boolean;
    }>;
    const connected = instances.filter((i) => i.connected);
    expect(connected).toHaveLength(5);
    expect(connected.map((i) => i.relayId)).toEqual(Array(5).fill("relay-e2e"));
  }, 120_000);

  it("a guarded deploy judges the summed counts of SDKs behind the relay, turns the guilty flag off, and counts them acknowledged", async () => {
    const GUARDED = "relayed-checkout";
    await api("POST", "/api/flags", { key: GUARDED });
    await api("PATCH", `/api/flags/${GUARDED}/environments/staging`, {
      enabled: true,
      fallthrough: { rollout: { weights: [50_000, 50_000] } },
    });
    const deployToken = String((await api("POST", "/api/tokens", { name: "pipeline", kind: "deploy", environment: "staging" })).body.token);
    const pipeline = adminApi(() => server, deployToken);
    const sdks = await Promise.all([sdk(), sdk(), sdk()]);
    await eventually(
      async () => sdks.every((c) => c.variationDetail(GUARDED, { key: "probe" }, false).reason === "SPLIT"),
      (all) => all,
    );
    // The new path fails every request; the old one never does.
    let checkouts = 0;
    const traffic = setInterval(() => {
      for (const client of sdks)
        for (let i = 0; i < 10; i += 1) {
          const context = { key: `user-${(checkouts += 1)}` };
          const flagged = client.isEnabled(GUARDED, context);
          client.track("request", context);
          if (flagged) client.track("error", context);
        }
    }, 20);
    try {
      const registered = await pipeline("POST", "/api/deploys", {
        service: "checkout",
        version: "2.0.0",
        environment: "staging",
        flags: [GUARDED],
        guard: { windowSeconds: 20, intervalSeconds: 2, checks: [{ signal: "error_rate", max: 0.1, minSamples: 50 }] },
      });
      expect(registered.status).toBe(201);
      const deploy = await eventually(
        async () => (await pipeline("GET", `/api/deploys/${registered.body.id}`)).body,
        (d) => d.status === "mitigated" || d.status === "rollback-required" || d.status === "healthy",
        30_000,
      );
      expect(deploy.status, deploy.decision.evidence.summary).toBe("mitigated");
      const action = deploy.decision.evidence.flagActions[0];
      expect(action).toMatchObject({ flag: GUARDED, taken: true, propagation: { connected: 3, acknowledged: 3 } });
      // Counted from the relay's summed batches: errors on the new path, none on the old.
      expect(deploy.decision.evidence.checks[0].samples).toBeGreaterThanOrEqual(50);
      process.stdout.write(`[relay] guarded deploy behind a relay: ${deploy.decision.evidence.summary}\n`);
      expect(sdks.map((c) => c.isEnabled(GUARDED, { key: "user-1" }))).toEqual([false, false, false]);
    } finally {
      clearInterval(traffic);
    }
  }, 90_000);

  it("a relay killed and restarted: SDKs resume from their Last-Event-ID and get only what they missed", async () => {
    const client = await sdk();
    await toggle(true);
    const lastId = await eventually(
      async () => {
        const res = await fetch(`${relay.url}/api/sdk/stream`, { headers: { authorization: `Bearer ${sdkToken}` } });
        const stream = new SseReader(res);
        await stream.waitFor(1);
        await stream.close();
        return stream.messages[0]?.id;
      },
      (id) => id !== undefined,
    );
    await relay.kill();
    await toggle(false);
    relay = await startRelay();
    // The restarted relay resumes its own upstream from its backup, so it has the change too.
    const resumed = new SseReader(
      await fetch(`${relay.url}/api/sdk/stream`, { headers: { authorization: `Bearer ${sdkToken}`, "last-event-id": String(lastId) } }),
    );
    try {
      await resumed.waitUntil(() => resumed.messages.some((m) => m.event === "patch"), 10_000);
      expect(resumed.messages.map((m) => m.event)).not.toContain("put");
      expect(resumed.json(0).flag).toMatchObject({ key: FLAG, enabled: false });
    } finally {
      await resumed.close();
    }
    // The Node SDK reconnects on its own and converges.
    await eventually(
      async () => client.isEnabled(FLAG, { key: "u1" }),
      (enabled) => !enabled,
      15_000,
    );
  }, 60_000);

  it("the server down for 30 s: SDKs keep evaluating, a restarted relay serves its backup, and all converge after", async () => {
    const client = await sdk();
    await toggle(true);
    await eventually(
      async () => client.isEnabled(FLAG, { key: "u1" }),
      (enabled) => enabled,
    );
    await server.kill();
    const downAt = Date.now();
    // The relay says it is stale, and still serves.
    const readiness = await eventually(
      async () => (await fetch(`${relay.url}/readyz`)).json() as Promise<Record<string, any>>,
      (r) => r.status === "stale",
    );
    expect(readiness.current).toBe(false);
    // A relay restarted while the server is down serves its backup file (written within half a
    // second of a change).
    await new Promise((r) => setTimeout(r, 1_000));
    await relay.kill();
    relay = await startRelay();
    const flags = await fetch(`${relay.url}/api/sdk/flags`, { headers: { authorization: `Bearer ${sdkToken}` } });
    expect(flags.status).toBe(200);
    expect(((await flags.json()) as { flags: Array<{ key: string; enabled: boolean }> }).flags.find((f) => f.key === FLAG)?.enabled).toBe(
      true,
    );
    const fresh = await sdk();
    // A relay with no backup, started while the server is down, has no token list to check a token
    // against: it answers 503 (retried), never 401 (which stops an SDK for good).
    const spare = await startRelayProcess({
      SWITCHYARD_URL: `http://127.0.0.1:${serverPort}`,
      SWITCHYARD_RELAY_TOKEN: relayToken,
      SWITCHYARD_RELAY_BACKUP: "off",
      PORT: String(await freePort()),
    });
    spares.push(spare);
    const early = await fetch(`${spare.url}/api/sdk/flags`, { headers: { authorization: `Bearer ${sdkToken}` } });
    expect([early.status, early.headers.get("retry-after")]).toEqual([503, "1"]);
    // Quick retries: after three failures the SDK also polls, by default every 30 s, which would make this test wait that long.
    const late = createClient({
      url: spare.url,
      token: sdkToken,
      logger: quiet,
      readyTimeoutMs: 500,
      maxRetryDelayMs: 1_000,
      pollIntervalMs: 1_000,
    });
    clients.push(late);
    await late.ready().catch(() => {});
    for (let waited = Date.now() - downAt; waited < 30_000; waited = Date.now() - downAt) {
      expect([client.isEnabled(FLAG, { key: "u1" }), fresh.isEnabled(FLAG, { key: "u1" })]).toEqual([true, true]);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    server = await startServer();
    await toggle(false);
    await eventually(
      async () => [client.isEnabled(FLAG, { key: "u1" }), fresh.isEnabled(FLAG, { key: "u1" })],
      (values) => values.every((v) => !v),
      20_000,
    );
    // The SDK that met the spare relay's 503s kept trying and has the server's state now (its
    // isEnabled would be false with no data at all: the version says it has the flags).
    await eventually(
      async () => late.configVersion(),
      (version) => version !== undefined && version === client.configVersion(),
      20_000,
    );
    expect(late.isEnabled(FLAG, { key: "u1" })).toBe(false);
    await eventually(
      async () => (await fetch(`${relay.url}/readyz`)).json() as Promise<Record<string, any>>,
      (r) => r.status === "current",
    );
  }, 120_000);
});
