import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./server-process";

/**
 * A real Prometheus for end-to-end tests: Debian's `prometheus` package (`.ci/run` installs it),
 * started on a free port with its own config and an empty data directory, scraping the given
 * targets every second.
 */
export const PROMETHEUS_PATH = process.env.PROMETHEUS_PATH ?? "/usr/bin/prometheus";
export const PROMETHEUS_INSTALL_HINT =
  "install it with `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus` (Debian), or set PROMETHEUS_PATH";

/** Why Prometheus cannot run here, or undefined when it can. */
export function prometheusMissing(): string | undefined {
  try {
    accessSync(PROMETHEUS_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `no executable Prometheus at ${PROMETHEUS_PATH}`;
  }
}

export interface PrometheusProcess {
  url: string;
  output(): string;
  /** Until a scrape of every target succeeded, so the first interval already has data. */
  waitForTargets(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[], scrapeSeconds = 1): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      `  scrape_interval: ${scrapeSeconds}s`,
      `  scrape_timeout: ${scrapeSeconds}s`,
      `  evaluation_interval: ${scrapeSeconds}s`,
      "scrape_configs:",
      "  - job_name: app",
      "    static_configs:",
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const child = spawn(
    PROMETHEUS_PATH,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const until = async (what: string, timeoutMs: number, test: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await test().catch(() => false))) {
      if (child.exitCode !== null) throw new Error(`Prometheus exited while waiting for ${what}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`Prometheus: no ${what} within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await until("readiness", 30_000, async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    output: () => output,
    waitForTargets: (timeoutMs = 15_000) =>
      until("successful scrape of every target", timeoutMs, async () => {
        const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string }> } };
        const active = body.data.activeTargets;
        return active.length === targets.length && active.every((t) => t.health === "up");
      }),
    stop,
  };
}
