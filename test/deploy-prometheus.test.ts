import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli";
import { startDemoApp, type DemoApp } from "./support/demo-app";
import { PROMETHEUS_INSTALL_HINT, prometheusMissing, startPrometheus, type PrometheusProcess } from "./support/prometheus";
import { freePort, startServerProcess, type ServerProcess } from "./support/server-process";

/*
 * One guarded deploy judged by a real Prometheus (Debian's package): it scrapes the demo
 * checkout's /metrics every second, and the deploy's check is a PromQL error rate. The demo
 * does not call track(), so Switchyard has no cohort data: it probes — turns the flag off, sees
 * Prometheus's error rate recover — and says mitigated.
 * CI sets SWITCHYARD_REQUIRE_SERVICES=1: then a missing Prometheus fails the run; elsewhere this
 * file is skipped and says what to install.
 */
const missing = prometheusMissing();
const required = process.env.SWITCHYARD_REQUIRE_SERVICES === "1";
if (missing && !required)
  process.stderr.write(`\n[switchyard] SKIPPING the Prometheus end-to-end test: ${missing}; ${PROMETHEUS_INSTALL_HINT}.\n\n`);

const ADMIN = "sy_admin_e2e_deploy_prometheus_01";
const FLAG = "new-checkout";
const ERROR_RATE = "sum(rate(demo_checkout_errors_total[$interval])) / sum(rate(demo_checkout_requests_total[$interval]))";

describe.skipIf(missing !== undefined && !required)("switchyard deploy watch with a check read from Prometheus", () => {
  let prometheus: PrometheusProcess;
  let server: ServerProcess;
  let demo: DemoApp;
  let dataDir: string;
  let cliEnv: Record<string, string>;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, any>;
  };

  beforeAll(async () => {
    if (missing)
      throw new Error(`Prometheus is required (SWITCHYARD_REQUIRE_SERVICES=1) but there is ${missing}; ${PROMETHEUS_INSTALL_HINT}.`);
    // Prometheus first, scraping the port the demo will take: the server needs its URL at start.
    const demoPort = await freePort();
    prometheus = await startPrometheus([`127.0.0.1:${demoPort}`]);
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-deploy-prometheus-"));
    server = await startServerProcess({
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_ADMIN_TOKEN: ADMIN,
      SWITCHYARD_DEMO: "false",
      PROMETHEUS_URL: prometheus.url,
    });
    await api("POST", "/api/flags", { key: FLAG });
    await api("PATCH", `/api/flags/${FLAG}/environments/production`, {
      enabled: true,
      fallthrough: { rollout: { weights: [50_000, 50_000] } },
    });
    const sdkToken = String(
      (await api("POST", "/api/tokens", { name: "checkout-service", kind: "server", environment: "production" })).token,
    );
    const deployToken = String((await api("POST", "/api/tokens", { name: "pipeline", kind: "deploy", environment: "production" })).token);
    cliEnv = { SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: deployToken };
    demo = await startDemoApp({
      SWITCHYARD_URL: server.url,
      SWITCHYARD_TOKEN: sdkToken,
      DEMO_PORT: String(demoPort),
      DEMO_RPS: "200",
      DEMO_TRACK: "false",
    });
    await prometheus.waitForTargets();
  });
  afterAll(async () => {
    await demo?.stop();
    await server?.stop();
    await prometheus?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("turns the flag off when Prometheus's error rate breaches, and exits 3 once Prometheus shows it recovered", async () => {
    const watching = runCli(
      [
        "deploy",
        "watch",
        "--service",
        "checkout",
        "--version",
        "2.0.0",
        "--env",
        "production",
        "--flag",
        FLAG,
        "--window",
        "30s",
        "--interval",
        "3s",
        "--max",
        "error_rate=0.02",
        "--prometheus",
        ERROR_RATE,
        "--json",
      ],
      cliEnv,
    );
    // The new code path starts failing right after the deploy is registered.
    await new Promise((r) => setTimeout(r, 1_000));
    const brokeAt = Date.now();
    await demo.setMode("flagged");
    const result = await watching;
    expect(result.code, `${result.err}\n${result.out}`).toBe(3);

    const body = JSON.parse(result.out);
    const [check] = body.decision.evidence.checks;
    expect(check).toMatchObject({ signal: "error_rate", source: "prometheus", query: ERROR_RATE, held: false });
    // Half the users on a path failing ~20 %: Prometheus saw ~10 %, then the old path's ~0.5 %.
    expect(check.firstBreach.value).toBeGreaterThan(0.05);
    expect(body.decision.evidence.flagActions).toMatchObject([
      { flag: FLAG, reason: "probe", taken: true, propagation: { acknowledged: 1, connected: 1 } },
    ]);
    expect(body.decision.evidence.recovery).toMatchObject({ held: true });
    const recovered = check.intervals.at(-1);
    expect(recovered).toMatchObject({ judgement: "held" });
    expect(recovered.value).toBeLessThan(0.02);

    expect(await api("GET", `/api/flags/${FLAG}/environments/production`)).toMatchObject({ enabled: false });
    expect((await demo.status()).flagOnForAnyone).toBe(false);
    const ackedAt = Date.parse(body.decision.evidence.flagActions[0].propagation.acknowledgedAt);
    process.stdout.write(
      `[deploy-prometheus] break → flag-off acknowledged by the demo's SDK: ${((ackedAt - brokeAt) / 1000).toFixed(1)} s (interval 3 s, scrape 1 s)\n`,
    );
  });
});
