import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prometheusClient } from "../src/deploys/prometheus";
import { backends, startTestServer, type TestServer } from "./harness";
import { eventually } from "../../../test/support/eventually";

const ENV = "production";
const FLAG = "new-checkout";
const QUERY = "sum(rate(checkout_errors_total[$interval])) / sum(rate(checkout_requests_total[$interval]))";

/**
 * A stand-in for Prometheus's query API: the error rate it reports for a time depends on whether
 * the flag was on at that time, as a real service's would; `down` makes it refuse connections'
 * worth of answers (it drops the socket).
 */
class FakePrometheus {
  down = false;
  errorRate: (at: number) => number = () => 0.005;
  readonly asked: Array<{ query: string; time: number }> = [];
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      req.on("end", () => {
        if (this.down) return req.socket.destroy();
        const body = new URLSearchParams(raw);
        const query = body.get("query") ?? "";
        const time = Number(body.get("time"));
        this.asked.push({ query, time });
        const answer = (status: number, json: unknown) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
        if (query.includes("((("))
          return answer(400, { status: "error", errorType: "bad_data", error: '1:4: parse error: unexpected "("' });
        if (query.startsWith("by_instance")) {
          return answer(200, {
            status: "success",
            data: {
              resultType: "vector",
              result: [
                { metric: { instance: "a" }, value: [time, "1"] },
                { metric: { instance: "b" }, value: [time, "2"] },
              ],
            },
          });
        }
        answer(200, {
          status: "success",
          data: { resultType: "vector", result: [{ metric: {}, value: [time, String(this.errorRate(time * 1000))] }] },
        });
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, "127.0.0.1", done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`deploy checks read from Prometheus on ${backend.name}`, () => {
    const prometheus = new FakePrometheus();
    let server: TestServer;
    let deployToken: string;

    const guard = (overrides: Record<string, unknown> = {}) => ({
      windowSeconds: 6,
      intervalSeconds: 1,
      checks: [{ signal: "error_rate", max: 0.02, query: QUERY }],
      onBreach: "disable-flags",
      ...overrides,
    });
    const register = (body: Record<string, unknown> = {}) =>
      server.request("POST", "/api/deploys", {
        token: deployToken,
        body: { service: "checkout", version: "2.0.0", environment: ENV, flags: [FLAG], guard: guard(), ...body },
      });
    const deploy = async (id: string) => (await server.request("GET", `/api/deploys/${id}`, { token: deployToken })).body;
    /** When the flag was turned off in production (the fake's notion of "the new code stopped running"). */
    const flagOffSince = () => {
      const config = server.live.environment(ENV)?.flagsByKey.get(FLAG);
      return config?.enabled === false ? (offAt ??= Date.now()) : null;
    };
    let offAt: number | undefined;

    beforeAll(async () => {
      await prometheus.start();
      server = await startTestServer(backend.name, {
        deployWorker: { tickMs: 100 },
        prometheus: prometheusClient(prometheus.url, { timeoutMs: 1_000 }),
      });
      deployToken = await server.token("deploy", ENV);
      await server.request("POST", "/api/flags", { body: { key: FLAG } });
      await server.request("PATCH", `/api/flags/${FLAG}/environments/${ENV}`, { body: { enabled: true } });
    });
    afterAll(async () => {
      await server?.close();
      await prometheus.close();
    });

    it("refuses a query Prometheus rejects, or one giving several series, with a 400 naming the check", async () => {
      const bad = await register({ guard: guard({ checks: [{ signal: "error_rate", max: 0.02, query: "sum(((" }] }) });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([
        { path: "guard.checks[0].query", message: 'Prometheus rejects it: 1:4: parse error: unexpected "("' },
      ]);
      const ambiguous = await register({ guard: guard({ checks: [{ signal: "up", min: 1, query: "by_instance" }] }) });
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body.error.details[0].message).toBe(
        "Prometheus rejects it: the query returned 2 series; a check needs one value — aggregate it, e.g. sum(…)",
      );
    });

    it("answers 503 when Prometheus is unreachable at registration, and registers nothing", async () => {
      prometheus.down = true;
      const before = (await server.request("GET", "/api/deploys", { token: deployToken })).body.deploys.length;
      const res = await register().finally(() => (prometheus.down = false));
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({
        code: "UNAVAILABLE",
        message: expect.stringMatching(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable: .*; the deploy was not registered$/),
      });
      expect((await server.request("GET", "/api/deploys", { token: deployToken })).body.deploys).toHaveLength(before);
    });

    it("turns the flag off when the query breaches (probing: no cohort data), and says mitigated once the query recovers", async () => {
      // 8% errors while the new checkout runs, 0.5% once the flag is off.
      prometheus.errorRate = (atMs) => {
        const off = flagOffSince();
        return off !== null && atMs > off ? 0.005 : 0.08;
      };
      const created = await register();
      expect(created.status).toBe(201);
      const id = created.body.id;
      const decided = await eventually(
        () => deploy(id),
        (d) => d.final === true,
      );
      expect(decided.status).toBe("mitigated");
      expect(decided.flagsOff).toMatchObject([{ flag: FLAG }]);
      const [check] = decided.decision.evidence.checks;
      expect(check).toMatchObject({
        signal: "error_rate",
        source: "prometheus",
        query: QUERY,
        firstBreach: { value: 0.08, judgement: "breached" },
      });
      expect(decided.decision.evidence.flagActions).toMatchObject([{ flag: FLAG, reason: "probe", taken: true }]);
      expect(decided.decision.evidence.recovery).toMatchObject({ held: true });
      expect(decided.prometheus).toMatchObject({ failingSince: null, through: expect.any(Number) });
      // Every interval was asked for at its end, with $interval spelled out.
      const created_ms = Date.parse(decided.createdAt);
      const times = prometheus.asked.filter((a) => a.time * 1000 > created_ms).map((a) => Math.round(a.time * 1000 - created_ms));
      expect(times.slice(0, 3)).toEqual([1000, 2000, 3000]);
      expect(new Set(prometheus.asked.filter((a) => a.time * 1000 > created_ms).map((a) => a.query))).toEqual(
        new Set([QUERY.replaceAll("$interval", "1s")]),
      );
      const flag = await server.request("GET", `/api/flags/${FLAG}/environments/${ENV}`);
      expect(flag.body).toMatchObject({ enabled: false });
    });

    it("waits out a Prometheus outage mid-window and fills the gap from Prometheus's history", async () => {
      await server.request("PATCH", `/api/flags/${FLAG}/environments/${ENV}`, { body: { enabled: true } });
      offAt = undefined;
      prometheus.errorRate = () => 0.004;
      const id = (await register({ flags: [], guard: guard({ windowSeconds: 4 }) })).body.id;
      await eventually(
        () => deploy(id),
        (d) => d.prometheus?.through >= 1,
      );
      prometheus.down = true;
      const stalled = await eventually(
        () => deploy(id),
        (d) => typeof d.prometheus?.failingSince === "string" && Date.now() - Date.parse(d.createdAt) > 5_000,
      );
      expect(stalled).toMatchObject({ status: "observing", final: false });
      expect(stalled.prometheus.lastProblem.message).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
      prometheus.down = false;
      const decided = await eventually(
        () => deploy(id),
        (d) => d.final === true,
      );
      expect(decided.status).toBe("healthy");
      expect(decided.decision.evidence.checks[0].intervals.map((i: { samples: number; value: number }) => [i.samples, i.value])).toEqual([
        [1, 0.004],
        [1, 0.004],
        [1, 0.004],
        [1, 0.004],
      ]);
    });
  });
}

describe("deploy checks with a query on a server without PROMETHEUS_URL", () => {
  it("are refused with a 400 that says how to fix it", async () => {
    const server = await startTestServer("embedded");
    try {
      await server.request("POST", "/api/flags", { body: { key: FLAG } });
      const res = await server.request("POST", "/api/deploys", {
        body: {
          service: "checkout",
          version: "2.0.0",
          environment: ENV,
          flags: [],
          guard: { windowSeconds: 60, intervalSeconds: 10, checks: [{ signal: "error_rate", max: 0.02, query: QUERY }] },
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        {
          path: "guard.checks[0].query",
          message: "this server has no Prometheus (set PROMETHEUS_URL), so a check cannot name a query; push samples instead",
        },
      ]);
    } finally {
      await server.close();
    }
  });
});
