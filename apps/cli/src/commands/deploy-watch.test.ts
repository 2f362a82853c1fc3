import { describe, expect, it } from "vitest";
import { captureIo, fakeServer } from "../fake-server";
import { run } from "../run";
import { attachQueries, parseDurationMs } from "./deploy-watch";

const env = { SWITCHYARD_TOKEN: "sy_deploy_cli_test_token_000000", SWITCHYARD_URL: "http://switchyard.test" };

const base = {
  id: "dep_1",
  service: "api",
  version: "1.4.2",
  environment: "production",
  final: false,
  summary: null,
  decision: null,
  flagsOff: [],
  propagation: [],
};
const mitigated = {
  ...base,
  status: "mitigated",
  final: true,
  summary: "mitigated: error_rate 5.60% > 0.02 …",
  decision: {
    evidence: {
      window: { intervals: 20, completed: 4 },
      checks: [{ signal: "error_rate", max: 0.02, min: null, samples: 1200, held: false, source: "counts" }],
      cohorts: [
        {
          flag: "new-checkout",
          signal: "error_rate",
          verdict: "explains",
          new: { rate: 0.1, per: 300 },
          off: { rate: 0.01, per: 300 },
          test: { pValue: 0.000012 },
        },
      ],
    },
  },
  flagsOff: [{ flag: "new-checkout", configVersion: 7, disabledAt: "2026-03-01T12:00:31.000Z" }],
  propagation: [{ flag: "new-checkout", acknowledged: 3, connected: 3, seconds: 0.4 }],
};

/** A server whose deploy is observing for `polls` answers, then `final`. */
function deployServer(final: Record<string, unknown>, polls = 2) {
  let seen = 0;
  return fakeServer({
    "POST /api/deploys": () => ({ status: 201, body: { ...base, status: "observing" } }),
    "GET /api/deploys/dep_1": () =>
      ++seen > polls
        ? { body: final }
        : { body: { ...base, status: "observing", summary: "observing: 1 of 20 intervals observed, no check breached" } },
  });
}

const watch = [
  "deploy",
  "watch",
  "--service",
  "api",
  "--version",
  "1.4.2",
  "--env",
  "production",
  "--flag",
  "new-checkout",
  "--window",
  "10m",
  "--interval",
  "30s",
  "--max",
  "error_rate=0.02",
  "--poll",
  "1ms",
];

describe("switchyard deploy watch", () => {
  it("registers the deploy with its guard, prints progress and the evidence, and exits 3 when a flag mitigated it", async () => {
    const fake = deployServer(mitigated);
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(watch, io)).toBe(3);
    expect(fake.requests[0]).toEqual({
      method: "POST",
      path: "/api/deploys",
      authorization: `Bearer ${env.SWITCHYARD_TOKEN}`,
      body: {
        service: "api",
        version: "1.4.2",
        environment: "production",
        flags: ["new-checkout"],
        guard: { windowSeconds: 600, intervalSeconds: 30, checks: [{ signal: "error_rate", max: 0.02 }], onBreach: "disable-flags" },
      },
    });
    expect(output.out).toBe(
      [
        "Watching deploy dep_1 (api 1.4.2 in production) for 600s, judged every 30s",
        "[0s] observing: 1 of 20 intervals observed, no check breached",
        "Deploy dep_1 (api 1.4.2 in production): MITIGATED",
        "  mitigated: error_rate 5.60% > 0.02 …",
        "  Checks:",
        "    error_rate ≤ 0.02: breached (1200 samples from counts)",
        "  Flag cohorts:",
        "    new-checkout error_rate: new 10.00% of 300, off 1.00% of 300, p=1.2e-5 → explains",
        "  Turned off new-checkout (config version 7) at 2026-03-01T12:00:31.000Z; acknowledged by 3 of 3 connected SDKs in 0.4 s",
        "  To put the flags back: switchyard deploy restore-flags dep_1",
        "",
      ].join("\n"),
    );
  });

  it("shows cohorts judged on pushed samples as means with sample counts", async () => {
    const samples = {
      flag: "new-checkout",
      signal: "latency_p99_ms",
      verdict: "explains",
      source: "samples",
      new: { variations: [0], samples: 12, mean: 910.4321, standardDeviation: 40 },
      off: { variations: [1], samples: 11, mean: 420, standardDeviation: 35 },
      test: { test: "Welch's t-test, one-sided", t: 31.2, df: 20.9, pValue: 1.5e-19 },
    };
    const evidence = {
      ...mitigated.decision.evidence,
      checks: [{ signal: "latency_p99_ms", max: 800, min: null, samples: 40, held: false, source: "gauge" }],
      cohorts: [samples],
    };
    const { io, output } = captureIo(deployServer({ ...mitigated, decision: { evidence } }, 0).fetch, "/", env);
    expect(await run(watch, io)).toBe(3);
    expect(output.out).toContain(
      [
        "  Checks:",
        "    latency_p99_ms ≤ 800: breached (40 samples from gauge)",
        "  Flag cohorts:",
        "    new-checkout latency_p99_ms: new mean 910.4 of 12 samples, off mean 420 of 11, p=1.5e-19 → explains",
        "",
      ].join("\n"),
    );
  });

  it("exits 0, 4 and 5 for healthy, rollback-required and inconclusive, and prints the body with --json", async () => {
    for (const [status, code] of [
      ["healthy", 0],
      ["rollback-required", 4],
      ["inconclusive", 5],
    ] as const) {
      const { io, output } = captureIo(deployServer({ ...base, status, final: true }, 0).fetch, "/", env);
      expect(await run([...watch, "--json", "--decide-only"], io)).toBe(code);
      expect(JSON.parse(output.out)).toMatchObject({ id: "dep_1", status });
    }
  });

  it("exits 1 on usage errors and error answers", async () => {
    const { io, output } = captureIo(deployServer(mitigated).fetch, "/", env);
    expect(await run(["deploy", "watch", "--service", "api"], io)).toBe(1);
    expect(output.err).toBe("switchyard: deploy watch needs --version, --env\n");
    expect(await run([...watch.slice(0, -2), "--max", "error_rate"], io)).toBe(1);
    expect(await run([...watch, "--interval", "1.5s"], io)).toBe(1);
    const refused = fakeServer({
      "POST /api/deploys": () => ({
        status: 400,
        body: { error: { code: "VALIDATION_FAILED", message: "Invalid deploy: flags[0]: unknown flag 'x'" } },
      }),
    });
    const bad = captureIo(refused.fetch, "/", env);
    expect(await run(watch, bad.io)).toBe(1);
    expect(bad.output.err).toBe(
      "switchyard: Switchyard answered POST /api/deploys with 400: VALIDATION_FAILED: Invalid deploy: flags[0]: unknown flag 'x'\n",
    );
  });

  it("starts a deploy without waiting, and pushes a signal to it", async () => {
    const fake = fakeServer({
      "POST /api/deploys": () => ({ status: 201, body: { ...base, status: "observing" } }),
      "POST /api/deploys/dep_1/signals": () => ({ status: 202, body: { accepted: 1, final: false } }),
    });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["deploy", "start", ...watch.slice(2)], io)).toBe(0);
    expect(await run(["deploy", "signal", "dep_1", "--signal", "latency_p99_ms", "--value", "182.5"], io)).toBe(0);
    expect(output.out).toBe('dep_1\n{"accepted":1,"final":false}\n');
    expect(fake.requests[1]).toMatchObject({
      method: "POST",
      path: "/api/deploys/dep_1/signals",
      body: { signal: "latency_p99_ms", value: 182.5 },
    });
    expect(await run(["deploy", "signal", "dep_1", "--signal", "x"], io)).toBe(1);
    expect(await run(["deploy", "signal", "dep_1", "--signal", "latency_p99_ms", "--value", "900", "--flag", "new-checkout"], io)).toBe(1);
    expect(output.err).toContain("switchyard: deploy signal: --flag and --variation go together");
    expect(
      await run(
        ["deploy", "signal", "dep_1", "--signal", "latency_p99_ms", "--value", "900", "--flag", "new-checkout", "--variation", "0"],
        io,
      ),
    ).toBe(0);
    expect(fake.requests.at(-1)).toMatchObject({ body: { signal: "latency_p99_ms", value: 900, flag: "new-checkout", variation: 0 } });
  });

  it("sends a Prometheus query with the check it reads", async () => {
    const fake = deployServer({ ...base, status: "healthy", final: true }, 0);
    const { io } = captureIo(fake.fetch, "/", env);
    const query = 'sum(rate(http_requests_total{code=~"5.."}[$interval])) / sum(rate(http_requests_total[$interval]))';
    expect(await run([...watch, "--prometheus", query], io)).toBe(0);
    expect(fake.requests[0]?.body).toMatchObject({ guard: { checks: [{ signal: "error_rate", max: 0.02, query }] } });
  });

  it("attaches --prometheus to the only check, or to the check it names", () => {
    const two = () => [
      { signal: "error_rate", max: 0.02 },
      { signal: "latency_p99_ms", max: 800 },
    ];
    expect(attachQueries([{ signal: "error_rate", max: 0.02 }], ['sum(x{a="b"})'])).toEqual([
      { signal: "error_rate", max: 0.02, query: 'sum(x{a="b"})' },
    ]);
    expect(attachQueries(two(), ["latency_p99_ms=histogram_quantile(0.99, sum by (le) (rate(l_bucket[1m])))"])).toEqual([
      { signal: "error_rate", max: 0.02 },
      { signal: "latency_p99_ms", max: 800, query: "histogram_quantile(0.99, sum by (le) (rate(l_bucket[1m])))" },
    ]);
    expect(() => attachQueries(two(), ["sum(x)"])).toThrow(
      "--prometheus must name its check when there are several: --prometheus error_rate='query' (checks: error_rate, latency_p99_ms)",
    );
    expect(() => attachQueries([{ signal: "error_rate", max: 0.02 }], ["sum(x)", "sum(y)"])).toThrow(
      "--prometheus gives check error_rate a second query",
    );
  });

  it("says which flags restore-flags put back, or prints the report with --json", async () => {
    const report = {
      restored: [{ flag: "new-checkout", version: 4, fromVersion: 2 }],
      unchanged: ["search-ranking"],
      skipped: [{ flag: "old-banner", reason: "the flag no longer exists" }],
    };
    const fake = fakeServer({ "POST /api/deploys/dep_1/restore-flags": () => ({ body: report }) });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["deploy", "restore-flags", "dep_1"], io)).toBe(0);
    expect(output.out).toBe(
      "Restored new-checkout: the config of version 2 is now version 4\nUnchanged: search-ranking\nSkipped old-banner: the flag no longer exists\n",
    );
    const json = captureIo(fake.fetch, "/", env);
    expect(await run(["deploy", "restore-flags", "dep_1", "--json"], json.io)).toBe(0);
    expect(JSON.parse(json.output.out)).toEqual(report);
  });

  it("reads durations", () => {
    expect(parseDurationMs("10m", "window")).toBe(600_000);
    expect(parseDurationMs("30s", "interval")).toBe(30_000);
    expect(parseDurationMs("45", "interval")).toBe(45_000);
    expect(parseDurationMs("250ms", "poll")).toBe(250);
    expect(() => parseDurationMs("soon", "window")).toThrow("--window must be a duration such as 30s, 10m or 1h, not 'soon'");
  });
});
