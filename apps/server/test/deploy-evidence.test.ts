import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ObservedEnvironments } from "../src/services/observed-environments";
import { createSplitFlag, errorRateGuard, settledDeploy } from "./deploy-fixtures";
import { backends, startTestServer, type TestServer } from "./harness";

const ENV = "production";

const guard = (overrides: Record<string, unknown> = {}) => errorRateGuard(3, overrides);

/*
 * Deploy evidence comes from sources a web page cannot impersonate: server SDKs (server tokens are
 * secrets) and pushed samples (deploy tokens). Browser reports use the client token every page
 * ships, so they count only when the deploy asks for them, capped and rate-limited.
 */
for (const backend of backends()) {
  describe.skipIf(backend.skip)(`deploy evidence on ${backend.name}`, () => {
    let server: TestServer;
    let sdkToken: string;
    let clientToken: string;
    let deployToken: string;

    const settled = (id: string) => settledDeploy(server, deployToken, id);

    /** Every 150 ms until stopped; each call gets the tick number. */
    const every150ms = (send: (tick: number) => Promise<unknown>) => {
      let stopped = false;
      const loop = (async () => {
        for (let tick = 0; !stopped; tick++) {
          await send(tick);
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
      return async () => {
        stopped = true;
        await loop;
      };
    };

    /** A healthy server application: 40 requests per variation per tick, no errors. */
    const healthyServerApp = (flag: string) =>
      every150ms(() =>
        server.request("POST", "/api/sdk/metrics", {
          token: sdkToken,
          body: {
            instanceId: `server-${flag}`,
            events: [0, 1].map((variation) => ({ event: "request", flag, variation, count: 40 })),
          },
        }),
      );

    beforeAll(async () => {
      server = await startTestServer(backend.name, { deployWorker: { tickMs: 100 } });
      sdkToken = await server.token("server", ENV);
      clientToken = await server.token("client", ENV);
      deployToken = await server.token("deploy", ENV);
      for (const key of ["attacked-flag", "browser-flag"]) await createSplitFlag(server, key, ENV);
    });
    afterAll(() => server?.close());

    it("ignores a client token's made-up error counts: the deploy is healthy and the flag stays on", async () => {
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: { service: "checkout", version: "2.0.0", environment: ENV, flags: ["attacked-flag"], guard: guard() },
      });
      expect(created.status).toBe(201);
      expect(created.body.guard).toEqual(guard());
      const stopApp = await healthyServerApp("attacked-flag");
      // What a web page's client token allows: made-up errors on the new variation, each from a fresh "instance".
      const attacks: number[] = [];
      const stopAttack = await every150ms(async (tick) => {
        const res = await server.request("POST", "/api/client/metrics", {
          token: clientToken,
          body: { instanceId: `fake-${tick}`, events: [{ event: "error", flag: "attacked-flag", variation: 0, count: 90 }] },
        });
        attacks.push(res.status);
      });
      const decided = await settled(created.body.id).finally(() => Promise.all([stopApp(), stopAttack()]));

      expect(attacks.length).toBeGreaterThan(5);
      expect(new Set(attacks)).toEqual(new Set([202]));
      expect(decided.status).toBe("healthy");
      expect(decided.flagsOff).toEqual([]);
      expect(decided.decision.evidence.checks[0]).toMatchObject({ signal: "error_rate", held: true });
      expect((await server.request("GET", `/api/flags/attacked-flag/environments/${ENV}`)).body).toMatchObject({
        enabled: true,
        version: 2,
      });
    });

    it("counts browser reports when the deploy asks for them, each entry capped at 100", async () => {
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: {
          service: "web",
          version: "2.0.0",
          environment: ENV,
          flags: ["browser-flag"],
          guard: guard({ browserCounts: true, onBreach: "decide-only" }),
        },
      });
      expect(created.body.guard).toMatchObject({ browserCounts: true });
      // Browsers only: 100 requests a report (capped from a million) and 10 errors on the new variation.
      const receipts: unknown[] = [];
      const stop = await every150ms(async (tick) => {
        const res = await server.request("POST", "/api/client/metrics", {
          token: clientToken,
          body: {
            instanceId: `browser-${tick}`,
            events: [
              { event: "request", flag: "browser-flag", variation: 0, count: 1_000_000 },
              { event: "error", flag: "browser-flag", variation: 0, count: 10 },
              { event: "request", flag: "browser-flag", variation: 1, count: 100 },
            ],
          },
        });
        receipts.push(res.body);
      });
      const decided = await settled(created.body.id).finally(stop);

      expect(receipts[0]).toEqual({
        accepted: { evaluations: 0, events: 3 },
        ignored: { evaluations: 0, events: 0 },
        capped: { evaluations: 0, events: 1 },
      });
      expect(decided.status).toBe("rollback-required");
      const cohort = decided.decision.evidence.cohorts.find((c: { flag: string }) => c.flag === "browser-flag");
      // The new cohort's rate is 10 errors per 100 requests: the million was cut to the cap.
      expect(cohort).toMatchObject({ verdict: "explains", new: { rate: expect.closeTo(0.1, 5) } });
    });

    it("never lets a browser report acknowledge a version for a server SDK instance", async () => {
      await server.request("POST", "/api/sdk/metrics", {
        token: sdkToken,
        body: { instanceId: "pod-7", sdk: "switchyard-node", version: 3 },
      });
      const res = await server.request("POST", "/api/client/metrics", {
        token: clientToken,
        body: { instanceId: "pod-7", sdk: "evil", version: 999_999_999 },
      });
      expect(res.status).toBe(202);
      const instances = (await server.request("GET", `/api/environments/${ENV}/instances`)).body.instances;
      expect(instances.find((i: { instanceId: string }) => i.instanceId === "pod-7")).toMatchObject({
        sdk: "switchyard-node",
        ackedVersion: 3,
      });
      expect(instances.map((i: { instanceId: string }) => i.instanceId)).not.toContain("browser-0");
    });

    it("is 429 with Retry-After when one browser instance or one client token reports too often", async () => {
      // The production app allows 3 reports per instance, then one every 5 s; this one 2 per instance and 4 per token.
      const limited = createApp({
        db: server.database.db,
        live: server.live,
        hub: server.hub,
        observed: new ObservedEnvironments(server.database.db, pino({ level: "silent" })),
        logger: pino({ level: "silent" }),
        ping: async () => {},
        clientMetricsRateLimit: { perToken: { requestsPerSecond: 0.1, burst: 4 }, perInstance: { requestsPerSecond: 0.1, burst: 2 } },
      });
      const post = async (instanceId: string) => {
        const res = await limited.request("/api/client/metrics", {
          method: "POST",
          headers: { authorization: `Bearer ${clientToken}`, "content-type": "application/json" },
          body: JSON.stringify({ instanceId }),
        });
        return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
      };
      expect((await post("tab-1")).status).toBe(202);
      expect((await post("tab-1")).status).toBe(202);
      expect(await post("tab-1")).toEqual({
        status: 429,
        retryAfter: "10",
        body: { error: { code: "RATE_LIMITED", message: "Too many metrics reports from instance 'tab-1'; retry after 10 s" } },
      });
      expect((await post("tab-2")).status).toBe(202);
      expect(await post("tab-3")).toEqual({
        status: 429,
        retryAfter: "10",
        body: { error: { code: "RATE_LIMITED", message: "Too many metrics reports for this token; retry after 10 s" } },
      });
    });
  });
}
