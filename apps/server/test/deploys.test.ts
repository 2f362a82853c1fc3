import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployWorker } from "../src/deploys/deploy-worker";
import { claimDeploys } from "../src/store/deploys";
import { readEventId } from "../src/live/events/sdk-events";
import { createSplitFlag, errorRateGuard, settledDeploy } from "./deploy-fixtures";
import { backends, startTestServer, type TestServer } from "./harness";
import { eventually } from "../../../test/support/eventually";
import { SseReader } from "../../../test/support/sse-client";

const ENV = "production";

const guard = (overrides: Record<string, unknown> = {}) => errorRateGuard(8, overrides);

const deployBody = (flags: string[], overrides: Record<string, unknown> = {}) => ({
  service: "checkout",
  version: "1.4.2",
  environment: ENV,
  commit: "abc123",
  flags,
  guard: guard(),
  ...overrides,
});

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`deploy hook on ${backend.name}`, () => {
    let server: TestServer;
    let sdkToken: string;
    let deployToken: string;
    let stagingDeployToken: string;

    const createFlag = (key: string) => createSplitFlag(server, key, ENV);
    const deploy = async (id: string) => (await server.request("GET", `/api/deploys/${id}`, { token: deployToken })).body;
    const settled = (id: string) => settledDeploy(server, deployToken, id);

    /**
     * An application using a flag: every 150 ms it reports the `request` and `error` counts of
     * the contexts on each variation (as SDK `track()` does), over one SDK stream whose last
     * event id is the version it acknowledges. `errorRate(variation)` is its failure model.
     */
    const runApp = async (flag: string, errorRate: (variation: number) => number) => {
      const res = await server.app.request("/api/sdk/stream", {
        headers: { authorization: `Bearer ${sdkToken}`, "x-switchyard-instance": `app-${flag}` },
      });
      const stream = new SseReader(res);
      await stream.waitFor(1);
      let stopped = false;
      let tick = 0;
      const loop = (async () => {
        while (!stopped) {
          tick += 1;
          const on = server.live.environment(ENV)?.flagsByKey.get(flag)?.enabled === true;
          const cohorts = on
            ? [
                { variation: 0, requests: 40 },
                { variation: 1, requests: 40 },
              ]
            : [{ variation: 1, requests: 80 }];
          const events = cohorts.flatMap(({ variation, requests }) => {
            // Whole errors, spread over ticks: rate × requests per tick on average.
            const errors = Math.floor(errorRate(variation) * requests * tick) - Math.floor(errorRate(variation) * requests * (tick - 1));
            return [
              { event: "request", flag, variation, count: requests },
              ...(errors > 0 ? [{ event: "error", flag, variation, count: errors }] : []),
            ];
          });
          const version = readEventId(stream.messages.at(-1)?.id)?.seq ?? 0;
          await server.request("POST", "/api/sdk/metrics", {
            token: sdkToken,
            body: { instanceId: `app-${flag}`, sdk: "test-app", version, events },
          });
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
      return async () => {
        stopped = true;
        await loop;
        await stream.close();
      };
    };

    beforeAll(async () => {
      server = await startTestServer(backend.name, { deployWorker: { tickMs: 100 } });
      sdkToken = await server.token("server", ENV);
      deployToken = await server.token("deploy", ENV);
      stagingDeployToken = await server.token("deploy", "staging");
      for (const key of ["new-checkout", "new-search", "new-banner", "new-pricing", "new-fragile", "quiet-flag"]) await createFlag(key);
      await server.request("POST", "/api/flags", { body: { key: "old-flag" } });
      await server.request("PATCH", "/api/flags/old-flag", { body: { archived: true } });
    });
    afterAll(() => server?.close());

    it("registers a deploy with a snapshot of every flag config of the environment, shown to admin tokens only", async () => {
      const res = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: deployBody(["quiet-flag"], { guard: guard({ windowSeconds: 2 }) }),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^dep_[A-Za-z0-9_-]{16}$/),
        service: "checkout",
        version: "1.4.2",
        environment: ENV,
        commit: "abc123",
        flags: ["quiet-flag"],
        guard: guard({ windowSeconds: 2 }),
        status: "observing",
        final: false,
        decision: null,
        flagsOff: [],
        propagation: [],
      });
      // A deploy token never sees rules: the snapshot holds every flag config of the environment.
      expect(res.body).not.toHaveProperty("snapshot");
      expect((await server.request("GET", `/api/deploys/${res.body.id}`, { token: deployToken })).body).not.toHaveProperty("snapshot");
      const asAdmin = await server.request("GET", `/api/deploys/${res.body.id}`);
      expect(Object.keys(asAdmin.body.snapshot).sort()).toEqual([
        "new-banner",
        "new-checkout",
        "new-fragile",
        "new-pricing",
        "new-search",
        "old-flag",
        "quiet-flag",
      ]);
      // The snapshot holds configs as stored: the off variation by its id.
      const quietOff = (await server.request("GET", "/api/flags/quiet-flag")).body.variations[1].id;
      expect(asAdmin.body.snapshot["quiet-flag"]).toMatchObject({ version: 2, config: { enabled: true, offVariation: quietOff } });
      const audit = await server.request("GET", `/api/audit?limit=5`);
      expect(audit.body.entries[0]).toMatchObject({
        action: "deploy.create",
        resource: { type: "deploy", key: res.body.id },
        deployId: res.body.id,
        environment: ENV,
      });

      // No traffic at all: too few samples by the window's end.
      const decided = await settled(res.body.id);
      expect(decided.status).toBe("inconclusive");
      expect(decided.summary).toMatch(/^inconclusive: too few samples/);
    });

    it("refuses bad deploys with a 400 naming each problem, and other environments with 403", async () => {
      const post = (body: unknown, token = deployToken) => server.request("POST", "/api/deploys", { token, body });
      const problems = async (body: unknown, token = deployToken) => {
        const res = await post(body, token);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe("VALIDATION_FAILED");
        return res.body.error.details;
      };
      expect(await problems(deployBody(["nope", "old-flag"]))).toEqual([
        { path: "flags[0]", message: "unknown flag 'nope'" },
        { path: "flags[1]", message: "flag 'old-flag' is archived" },
      ]);
      expect(await problems(deployBody([], { guard: guard({ checks: [] }) }))).toEqual([
        { path: "guard.checks", message: "needs at least one check" },
      ]);
      expect(
        await problems(
          deployBody([], { guard: guard({ checks: [{ signal: "error_rate" }, { signal: "latency_p99_ms", max: 300, min: 1 }] }) }),
        ),
      ).toEqual([
        { path: "guard.checks[0]", message: "give exactly one of max or min" },
        { path: "guard.checks[1]", message: "give exactly one of max or min" },
      ]);
      expect(await problems(deployBody([], { guard: guard({ windowSeconds: 10, intervalSeconds: 30 }) }))).toEqual([
        { path: "guard.windowSeconds", message: "must be at least intervalSeconds (30)" },
      ]);
      expect(await problems(deployBody([], { environment: "mars" }), server.adminToken)).toEqual([
        { path: "environment", message: "unknown environment 'mars'" },
      ]);

      const other = await post(deployBody([]), stagingDeployToken);
      expect(other.status).toBe(403);
      expect(other.body.error).toEqual({
        code: "FORBIDDEN",
        message: "This deploy token is scoped to environment 'staging', not 'production'",
      });
      expect((await post(deployBody([]), sdkToken)).status).toBe(403);
      expect((await server.request("GET", "/api/deploys/dep_missing", { token: deployToken })).status).toBe(404);
      const bigBatch = { samples: Array.from({ length: 1001 }, () => ({ signal: "error_rate", value: 0 })) };
      const created = await post(deployBody([]));
      expect((await server.request("POST", `/api/deploys/${created.body.id}/signals`, { token: deployToken, body: bigBatch })).status).toBe(
        400,
      );
      const halfCohort = await server.request("POST", `/api/deploys/${created.body.id}/signals`, {
        token: deployToken,
        body: {
          samples: [
            { signal: "latency_p99_ms", value: 900, flag: "new-checkout" },
            { signal: "latency_p99_ms", value: 400, variation: 1 },
          ],
        },
      });
      expect(halfCohort.status).toBe(400);
      expect(halfCohort.body.error.details).toEqual([
        { path: "samples[0].variation", message: "a sample naming a flag needs the variation (index) its cohort got" },
        { path: "samples[1].flag", message: "a sample with a variation needs the flag it belongs to" },
      ]);
      // A deploy of another environment does not exist for a deploy token of staging.
      expect((await server.request("GET", `/api/deploys/${created.body.id}`, { token: stagingDeployToken })).status).toBe(404);
    });

    it("turns off the flag whose new variation fails, proves propagation, and says mitigated", async () => {
      const created = await server.request("POST", "/api/deploys", { token: deployToken, body: deployBody(["new-checkout"]) });
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      const stop = await runApp("new-checkout", (variation) => (variation === 0 ? 0.1 : 0.01));
      const decided = await settled(id).finally(stop);

      expect(decided.status).toBe("mitigated");
      expect(decided.summary).toMatch(/^mitigated: error_rate .*new-checkout/);
      expect(decided.flagsOff).toEqual([
        { flag: "new-checkout", disabledAt: expect.any(String), configVersion: 3, seq: expect.any(Number) },
      ]);
      expect(decided.propagation).toEqual([
        {
          flag: "new-checkout",
          version: 3,
          seq: decided.flagsOff[0].seq,
          acknowledged: 1,
          connected: 1,
          requiredRatio: 0.95,
          acknowledgedAt: expect.any(String),
          seconds: expect.any(Number),
        },
      ]);
      expect(decided.acknowledgements).toEqual([
        { flag: "new-checkout", instanceId: expect.any(String), acknowledgedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      ]);
      expect(Date.parse(decided.acknowledgements[0].acknowledgedAt)).toBeGreaterThanOrEqual(Date.parse(decided.flagsOff[0].disabledAt));
      const cohort = decided.decision.evidence.cohorts.find((c: { verdict: string }) => c.verdict === "explains");
      expect(cohort).toMatchObject({
        flag: "new-checkout",
        signal: "error_rate",
        test: { test: "two-proportion z-test, pooled, one-sided" },
      });
      expect(cohort.new.rate).toBeGreaterThan(0.05);
      expect(cohort.off.rate).toBeLessThan(0.02);
      expect(decided.decision.evidence.recovery).toMatchObject({ held: true });

      const config = await server.request("GET", `/api/flags/new-checkout/environments/${ENV}`);
      expect(config.body).toMatchObject({ enabled: false, version: 3 });
      const audit = await server.request("GET", `/api/audit?flag=new-checkout&environment=${ENV}&limit=1`);
      expect(audit.body.entries[0]).toMatchObject({
        action: "flag-config.update",
        actor: { tokenId: null, name: `deploy ${id}` },
        deployId: id,
        comment: expect.stringMatching(new RegExp(`^deploy ${id}: `)),
        before: { version: 2, enabled: true },
        after: { version: 3, enabled: false },
      });

      const listed = await server.request("GET", `/api/deploys?service=checkout&environment=${ENV}`, { token: deployToken });
      expect(listed.status).toBe(200);
      const listedDeploy = listed.body.deploys.find((d: { id: string }) => d.id === id);
      expect(listedDeploy).toMatchObject({ status: "mitigated", service: "checkout" });
      expect(listedDeploy).not.toHaveProperty("snapshot");

      // Restore: the config is put back as it was at registration, as a new version. Turning flags
      // back on is an admin's call; a deploy token turns flags off, never on.
      const refused = await server.request("POST", `/api/deploys/${id}/restore-flags`, { token: deployToken });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: { code: "FORBIDDEN", message: "This endpoint needs an admin token; 'deploy test token' is a deploy token" },
      });
      const restored = await server.request("POST", `/api/deploys/${id}/restore-flags`);
      expect(restored.status).toBe(200);
      expect(restored.body.restored).toEqual([{ flag: "new-checkout", version: 4, fromVersion: 2 }]);
      expect(restored.body.skipped).toEqual([]);
      expect(restored.body.unchanged).toContain("new-search");
      const back = await server.request("GET", `/api/flags/new-checkout/environments/${ENV}`);
      expect(back.body).toMatchObject({ enabled: true, version: 4 });
      const restoreAudit = await server.request("GET", `/api/audit?flag=new-checkout&environment=${ENV}&limit=1`);
      expect(restoreAudit.body.entries[0]).toMatchObject({
        action: "flag-config.restore",
        deployId: id,
        after: { version: 4, enabled: true, restoredFrom: 2 },
      });
    });

    it("asks for a rollback when every cohort fails, and leaves the flag on", async () => {
      // Gauge samples come 5 a second: judge each interval on at least 3.
      const checks = [{ signal: "error_rate", max: 0.02, minSamples: 3 }];
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: deployBody(["new-search"], { guard: guard({ checks }) }),
      });
      const id: string = created.body.id;
      const stop = await runApp("new-search", () => 0.08);
      const pusher = setInterval(() => {
        void server.request("POST", `/api/deploys/${id}/signals`, {
          token: deployToken,
          body: {
            samples: [
              { signal: "error_rate", value: 0.08 },
              { signal: "latency_p99_ms", value: 120 },
            ],
          },
        });
      }, 200);
      const decided = await settled(id).finally(() => {
        clearInterval(pusher);
        return stop();
      });
      expect(decided.status).toBe("rollback-required");
      expect(decided.summary).toMatch(/no guarded flag explains it/);
      expect(decided.decision.evidence.checks[0]).toMatchObject({ signal: "error_rate", source: "gauge", held: false });
      expect(decided.decision.evidence.cohorts[0]).toMatchObject({
        flag: "new-search",
        verdict: "clears",
        reason: "the off cohort breaches too",
      });
      expect(decided.flagsOff).toEqual([]);
      expect((await server.request("GET", `/api/flags/new-search/environments/${ENV}`)).body.enabled).toBe(true);

      // Samples after the decision are kept but change nothing.
      const late = await server.request("POST", `/api/deploys/${id}/signals`, {
        token: deployToken,
        body: { signal: "error_rate", value: 0 },
      });
      expect(late.status).toBe(202);
      expect(late.body).toEqual({ accepted: 1, final: true });
      expect((await deploy(id)).status).toBe("rollback-required");
    });

    it("turns off the flag whose variation's pushed latency samples breach, with the t-test as evidence", async () => {
      await createFlag("new-latency");
      const checks = [{ signal: "latency_p99_ms", max: 800, minSamples: 3 }];
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: deployBody(["new-latency"], { guard: guard({ checks }) }),
      });
      const id: string = created.body.id;
      // A pipeline measuring p99 latency service-wide and per variation of the flag, 5 times a second.
      let n = 0;
      const pusher = setInterval(() => {
        const jitter = ((n++ % 3) - 1) * 40;
        const on = server.live.environment(ENV)?.flagsByKey.get("new-latency")?.enabled === true;
        const perVariation = [
          { variation: 0, value: 1400 + jitter },
          { variation: 1, value: 400 - jitter },
        ].map((s) => ({ signal: "latency_p99_ms", flag: "new-latency", ...s }));
        const samples = [{ signal: "latency_p99_ms", value: on ? 900 + jitter : 400 + jitter }, ...(on ? perVariation : [])];
        void server.request("POST", `/api/deploys/${id}/signals`, { token: deployToken, body: { samples } });
      }, 200);
      const decided = await settled(id).finally(() => clearInterval(pusher));

      expect(decided.status).toBe("mitigated");
      expect(decided.summary).toMatch(
        /^mitigated: latency_p99_ms .* explained by new-latency \(new mean 1[34]\d\d(\.\d+)? of \d+ samples vs off [34]\d\d(\.\d+)? of \d+, t=[\d.]+, df=[\d.]+, p[<=][\d.e-]+\)/,
      );
      expect(decided.flagsOff).toEqual([
        { flag: "new-latency", disabledAt: expect.any(String), configVersion: 3, seq: expect.any(Number) },
      ]);
      const cohort = decided.decision.evidence.cohorts.find((c: { verdict: string }) => c.verdict === "explains");
      expect(cohort).toMatchObject({
        flag: "new-latency",
        signal: "latency_p99_ms",
        source: "samples",
        // ± 40 ms of jitter: each mean lies within 40 ms of the variation's latency.
        new: { variations: [0], mean: expect.closeTo(1400, -2) },
        off: { variations: [1], mean: expect.closeTo(400, -2) },
        test: { test: "Welch's t-test, one-sided", alternative: "new > off", significance: 0.01, minSamples: 3 },
      });
      expect(Math.min(cohort.new.samples, cohort.off.samples)).toBeGreaterThanOrEqual(3);
      expect(cohort.test.pValue).toBeLessThan(0.01);
      expect(decided.decision.evidence.flagActions).toEqual([
        expect.objectContaining({ flag: "new-latency", reason: "cohort", taken: true }),
      ]);
      expect((await server.request("GET", `/api/flags/new-latency/environments/${ENV}`)).body).toMatchObject({
        enabled: false,
        version: 3,
      });
    });

    it("with decide-only names the flag but never turns it off", async () => {
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: deployBody(["new-pricing"], { guard: guard({ onBreach: "decide-only", acknowledgeIntervals: 1 }) }),
      });
      const id: string = created.body.id;
      const stop = await runApp("new-pricing", (variation) => (variation === 0 ? 0.1 : 0.01));
      const decided = await settled(id).finally(stop);
      expect(decided.status).toBe("rollback-required");
      expect(decided.summary).toMatch(
        /explained by new-pricing .* but new-pricing was not turned off and acknowledged within 1 intervals$/,
      );
      expect(decided.decision.evidence.flagActions).toEqual([
        expect.objectContaining({ flag: "new-pricing", reason: "cohort", taken: false, disabledAt: null }),
      ]);
      expect(decided.flagsOff).toEqual([]);
      expect((await server.request("GET", `/api/flags/new-pricing/environments/${ENV}`)).body).toMatchObject({ enabled: true, version: 2 });
    });

    it("asks for a rollback when the flag it would turn off can no longer be changed", async () => {
      const checks = [{ signal: "error_rate", max: 0.02, minSamples: 3 }];
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: deployBody(["new-fragile"], { guard: guard({ checks }) }),
      });
      const id: string = created.body.id;
      expect((await server.request("PATCH", "/api/flags/new-fragile", { body: { archived: true } })).status).toBe(200);
      const pusher = setInterval(() => {
        void server.request("POST", `/api/deploys/${id}/signals`, { token: deployToken, body: { signal: "error_rate", value: 0.08 } });
      }, 200);
      const decided = await settled(id).finally(() => clearInterval(pusher));
      expect(decided.status).toBe("rollback-required");
      // No cohort data for the flag: the engine probes by turning it off, which the write path refuses.
      expect(decided.summary).toMatch(
        /no cohort data, probing new-fragile.*; but new-fragile could not be turned off \(Flag 'new-fragile' is archived; .*\)$/,
      );
      expect(decided.flagsOff).toEqual([]);
    });

    it("says healthy when every check held for the whole window", async () => {
      const created = await server.request("POST", "/api/deploys", {
        token: deployToken,
        body: deployBody([], { guard: guard({ windowSeconds: 2, checks: [{ signal: "error_rate", max: 0.02 }] }) }),
      });
      const id: string = created.body.id;
      const pusher = setInterval(() => {
        void server.request("POST", `/api/deploys/${id}/signals`, { token: deployToken, body: { signal: "error_rate", value: 0.005 } });
      }, 100);
      const decided = await settled(id).finally(() => clearInterval(pusher));
      expect(decided.status).toBe("healthy");
      expect(decided.decision.evidence.checks[0]).toMatchObject({ held: true, source: "gauge" });
    });

    it("resumes after a restart mid-window and never turns the flag off twice", async () => {
      await server.deployWorker.stop();
      const workers: DeployWorker[] = [];
      const replica = () => {
        const worker = new DeployWorker({ db: server.database.db, live: server.live }, pino({ level: "silent" }), { tickMs: 100 });
        workers.push(worker);
        worker.start();
        return worker;
      };
      const created = await server.request("POST", "/api/deploys", { token: deployToken, body: deployBody(["new-banner"]) });
      const id: string = created.body.id;
      const stop = await runApp("new-banner", (variation) => (variation === 0 ? 0.12 : 0.005));
      try {
        const first = replica();
        const mitigating = await eventually(
          () => deploy(id),
          (d) => d.flagsOff.length === 1,
        );
        await first.stop(); // the process stops mid-window, right after turning the flag off
        expect(mitigating).toMatchObject({ final: false, flagsOff: [{ flag: "new-banner" }] });
        await new Promise((r) => setTimeout(r, 500));
        replica(); // restarted
        const decided = await settled(id);
        expect(decided.status).toBe("mitigated");
        expect(decided.flagsOff).toEqual(mitigating.flagsOff);
      } finally {
        await stop();
        await Promise.all(workers.map((w) => w.stop()));
        server.deployWorker.start();
      }
      const audit = await server.request("GET", `/api/audit?flag=new-banner&environment=${ENV}&limit=50`);
      expect(audit.body.entries.filter((e: { deployId: string | null }) => e.deployId === id)).toHaveLength(1);
    });

    it("decides an observing deploy once per completed interval, not every tick", async () => {
      await server.deployWorker.stop();
      try {
        const created = await server.request("POST", "/api/deploys", {
          token: deployToken,
          body: deployBody([], { guard: guard({ windowSeconds: 60, intervalSeconds: 10 }) }),
        });
        const id: string = created.body.id;
        const startedAt = Date.parse(created.body.createdAt);
        let offsetMs = 0;
        const worker = new DeployWorker({ db: server.database.db, live: server.live }, pino({ level: "silent" }), {
          now: () => new Date(startedAt + offsetMs),
        });
        const decidedAt = async (atMs: number) => {
          offsetMs = atMs;
          await worker.tick();
          return (await deploy(id)).decision?.decidedAt as string | undefined;
        };
        const first = await decidedAt(200);
        expect(first).toBe(new Date(startedAt + 200).toISOString());
        expect(await decidedAt(5_000)).toBe(first);
        expect(await decidedAt(9_900)).toBe(first);
        expect(await decidedAt(10_100)).toBe(new Date(startedAt + 10_100).toISOString());
        expect((await deploy(id)).decision.evidence.window.completed).toBe(1);
      } finally {
        server.deployWorker.start();
      }
    });

    it("keeps two replicas from observing one deploy at once, and lets another take over", async () => {
      await server.deployWorker.stop();
      try {
        const created = await server.request("POST", "/api/deploys", {
          token: deployToken,
          body: deployBody([], { guard: guard({ windowSeconds: 1 }) }),
        });
        const id: string = created.body.id;
        const now = new Date();
        const first = await claimDeploys(server.database.db, "replica-a", now, 30_000, 10);
        expect(first.map((d) => d.id)).toContain(id);
        expect((await claimDeploys(server.database.db, "replica-b", now, 30_000, 10)).map((d) => d.id)).not.toContain(id);
        // Replica A dies holding the lease; once it expires, another replica observes the deploy.
        const later = () => new Date(Date.now() + 31_000);
        const replicaB = new DeployWorker({ db: server.database.db, live: server.live }, pino({ level: "silent" }), { now: later });
        expect(await replicaB.tick()).toBeGreaterThanOrEqual(1);
        const decided = await deploy(id);
        expect(decided).toMatchObject({ final: true, status: "inconclusive" });
      } finally {
        server.deployWorker.start();
      }
    });
  });
}
