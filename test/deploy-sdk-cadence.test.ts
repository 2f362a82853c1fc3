import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_sdk_cadence_token_01";
const FLAG = "new-checkout";
const quiet = { warn: () => {}, error: () => {} };

/**
 * A Node SDK with default settings (counts every 60 s) against the real server: once a deploy
 * observes its environment, the server asks it for its counts every second, so the deploy's
 * first intervals are judged on them rather than waiting up to a minute.
 */
describe("a default-configured Node SDK during a deploy", () => {
  let server: ServerProcess;
  let dataDir: string;
  let client: SwitchyardClient | undefined;
  let traffic: NodeJS.Timeout | undefined;
  const api = async (method: string, path: string, body?: unknown, token = ADMIN) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, any>;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-cadence-e2e-"));
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    await api("POST", "/api/flags", { key: FLAG });
    await api("PATCH", `/api/flags/${FLAG}/environments/production`, {
      enabled: true,
      fallthrough: { rollout: { weights: [50_000, 50_000] } },
    });
  });
  afterAll(async () => {
    clearInterval(traffic);
    await client?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reports its track() counts within seconds of the deploy's registration", async () => {
    const sdkToken = String(
      (await api("POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "production" })).token,
    );
    const deployToken = String((await api("POST", "/api/tokens", { name: "pipeline", kind: "deploy", environment: "production" })).token);
    client = createClient({ url: server.url, token: sdkToken, logger: quiet });
    await client.ready();
    let checkout = 0;
    traffic = setInterval(() => {
      for (let i = 0; i < 10; i += 1) {
        const context = { key: `user-${(checkout += 1)}` };
        client?.isEnabled(FLAG, context);
        client?.track("request", context);
      }
    }, 20);
    // Past the SDK's first second, so nothing but the server's hint can make it report before a minute.
    await new Promise((r) => setTimeout(r, 1_500));

    const registeredAt = Date.now();
    const deploy = await api(
      "POST",
      "/api/deploys",
      {
        service: "checkout",
        version: "1.4.2",
        environment: "production",
        flags: [FLAG],
        guard: {
          windowSeconds: 30,
          intervalSeconds: 1,
          checks: [{ signal: "error_rate", max: 0.5, minSamples: 1 }],
          onBreach: "decide-only",
        },
      },
      deployToken,
    );
    expect(deploy.status).toBe("observing");
    let counted = 0;
    while (counted === 0 && Date.now() - registeredAt < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      const current = await api("GET", `/api/deploys/${deploy.id}`, undefined, deployToken);
      counted = Number(current.decision?.evidence.checks[0]?.samples ?? 0);
    }
    const seconds = (Date.now() - registeredAt) / 1_000;
    process.stdout.write(`[cadence] default-config SDK: first counted requests at the deploy ${seconds.toFixed(1)} s after registration\n`);
    // Without the server's hint the first counts would come up to 60 s after registration. With it:
    // about 2 s for the hint to reach the SDK (1 s cache, 1 s check), then the deploy's next tick.
    expect(counted).toBeGreaterThan(0);
  });
});
