import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneTelemetry, startTelemetryRetention } from "../src/services/telemetry-retention";
import { addEvaluationCounts, addEventCounts, listInstances, readEventCounts, recordInstanceReports } from "../src/store/sdk-usage";
import { evaluationCounts, flagConfigVersions, flags } from "../src/store/schema";
import { backends, startTestServer, type TestServer } from "./harness";
import pino from "pino";

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
const timestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`stale-flag reports and code references on ${backend.name}`, () => {
    let server: TestServer;
    let serverToken: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      serverToken = await server.token("server", "production");
    });
    afterAll(() => server?.close());

    /** Time travel by data: the flag was created, and its config history written, `days` ago. */
    async function age(flag: string, days: number) {
      const db = server.database.db;
      await db
        .update(flags)
        .set({ createdAt: sql`${flags.createdAt} - make_interval(days => ${days})` })
        .where(eq(flags.key, flag));
      await db
        .update(flagConfigVersions)
        .set({ createdAt: sql`${flagConfigVersions.createdAt} - make_interval(days => ${days})` })
        .where(eq(flagConfigVersions.flagKey, flag));
    }
    async function createFlag(body: Record<string, unknown>) {
      const res = await server.request("POST", "/api/flags", { body });
      expect(res.status).toBe(201);
    }
    async function report(query = "") {
      const res = await server.request("GET", `/api/reports/stale${query}`);
      expect(res.status).toBe(200);
      return res.body;
    }
    const entry = (body: { flags: Array<{ flag: string; reasons: unknown[] }> }, key: string) => body.flags.find((e) => e.flag === key);

    it("reports a flag fully rolled out for a week, measured from its config history", async () => {
      await createFlag({ key: "rolled-out", owner: "payments" });
      const put = await server.request("PATCH", "/api/flags/rolled-out/environments/production", { body: { enabled: true } });
      expect(put.status).toBe(200);
      expect(entry(await report(), "rolled-out")).toBeUndefined();
      await age("rolled-out", 8);
      const body = await report();
      expect(body).toMatchObject({
        generatedAt: timestamp,
        environment: null,
        thresholds: { notEvaluatedDays: 14, fullyRolledOutDays: 7, disabledDays: 30 },
      });
      expect(entry(body, "rolled-out")).toEqual({
        flag: "rolled-out",
        name: "rolled-out",
        kind: "release",
        owner: "payments",
        archived: false,
        reasons: [
          {
            code: "FULLY_ROLLED_OUT",
            since: timestamp,
            summary: expect.stringMatching(
              /^Serves `true` to everyone in production \(off in development, staging\) since \d{4}-\d\d-\d\d$/,
            ),
            facts: { days: 7, variation: 0, value: true, environments: ["production"], offEnvironments: ["development", "staging"] },
            suggestion: "Replace with `true` and remove the flag",
          },
        ],
      });
      // A rule that can serve `false` ends it.
      await server.request("PATCH", "/api/flags/rolled-out/environments/production", {
        body: { rules: [{ conditions: [{ attribute: "plan", operator: "in", values: ["free"] }], serve: { variation: 1 } }] },
      });
      expect(entry(await report(), "rolled-out")).toBeUndefined();
    });

    it("takes thresholds from the query and narrows the report to one environment", async () => {
      await createFlag({ key: "staging-only" });
      await server.request("PATCH", "/api/flags/staging-only/environments/staging", { body: { enabled: true } });
      await age("staging-only", 2);
      expect(entry(await report(), "staging-only")).toBeUndefined();
      expect(entry(await report("?fullyRolledOutDays=2"), "staging-only")?.reasons).toMatchObject([{ code: "FULLY_ROLLED_OUT" }]);
      const production = await report("?environment=production&fullyRolledOutDays=2&disabledDays=2");
      expect(production.environment).toBe("production");
      expect(production.coverage.environments).toEqual(["production"]);
      expect(entry(production, "staging-only")?.reasons).toMatchObject([
        { code: "DISABLED_EVERYWHERE", facts: { environments: ["production"] } },
      ]);
    });

    it("marks a flag permanent with PATCH, which ends PAST_EXPECTED_LIFETIME", async () => {
      await createFlag({ key: "old-ops", kind: "operational" });
      await server.request("PATCH", "/api/flags/old-ops/environments/production", {
        body: { fallthrough: { rollout: { weights: [50_000, 50_000] } }, enabled: true },
      });
      await age("old-ops", 9);
      expect(entry(await report(), "old-ops")?.reasons).toMatchObject([
        { code: "PAST_EXPECTED_LIFETIME", facts: { kind: "operational", ageDays: 9, expectedLifetimeDays: 7 } },
      ]);
      const patched = await server.request("PATCH", "/api/flags/old-ops", { body: { permanent: true } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ permanent: true, expectedLifetimeDays: null });
      expect(entry(await report(), "old-ops")).toBeUndefined();
      const bad = await server.request("PATCH", "/api/flags/old-ops", { body: { permanent: "yes" } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ path: "permanent", message: expect.any(String) }]);
    });

    it("claims NOT_EVALUATED only where SDKs reported, from the evaluation buckets", async () => {
      await createFlag({ key: "evaluated", permanent: true });
      await createFlag({ key: "forgotten", permanent: true });
      for (const key of ["evaluated", "forgotten"]) {
        await server.request("PATCH", `/api/flags/${key}/environments/production`, {
          body: { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } },
        });
        await age(key, 20);
      }
      // No SDK reported yet: silence proves nothing.
      expect(entry(await report(), "forgotten")).toBeUndefined();
      // production's SDKs have reported for 20 days: `forgotten` was last counted 16 days ago.
      await addEvaluationCounts(server.database.db, [
        { environmentKey: "production", flagKey: "evaluated", variation: 0, hour: hourOf(daysAgo(20)), count: 5 },
        { environmentKey: "production", flagKey: "forgotten", variation: 0, hour: hourOf(daysAgo(16)), count: 5 },
      ]);
      const metrics = await server.request("POST", "/api/sdk/metrics", {
        token: serverToken,
        body: { instanceId: "checkout-1", evaluations: [{ flag: "evaluated", variation: 1, count: 3 }] },
      });
      expect(metrics.status).toBe(202);
      const body = await report("?environment=production");
      expect(body.coverage.reportingEnvironments).toEqual(["production"]);
      expect(entry(body, "evaluated")).toBeUndefined();
      expect(entry(body, "forgotten")?.reasons).toEqual([
        {
          code: "NOT_EVALUATED",
          since: timestamp,
          summary: expect.stringMatching(
            /^No evaluation in production for (15|16) days \(last \d{4}-\d\d-\d\d\), though SDKs there report$/,
          ),
          facts: {
            days: 14,
            environments: [{ environment: "production", lastEvaluatedAt: timestamp }],
            unobservedEnvironments: [],
            telemetrySince: timestamp,
          },
          suggestion: "Nothing reads it: check that the code behind it is gone, then archive the flag",
        },
      ]);
      // Re-evaluated: gone.
      await server.request("POST", "/api/sdk/metrics", {
        token: serverToken,
        body: { instanceId: "checkout-1", evaluations: [{ flag: "forgotten", variation: 0, count: 1 }] },
      });
      expect(entry(await report(), "forgotten")).toBeUndefined();
    });

    it("prunes evaluation buckets older than the retention", async () => {
      await createFlag({ key: "retained" });
      const db = server.database.db;
      await addEvaluationCounts(db, [
        { environmentKey: "staging", flagKey: "retained", variation: 0, hour: hourOf(daysAgo(31)), count: 1 },
        { environmentKey: "staging", flagKey: "retained", variation: 0, hour: hourOf(daysAgo(29)), count: 1 },
      ]);
      const hours = async () =>
        (
          await db
            .select({ hour: evaluationCounts.hour })
            .from(evaluationCounts)
            .where(and(eq(evaluationCounts.flagKey, "retained"), eq(evaluationCounts.environmentKey, "staging")))
        ).length;
      expect(await hours()).toBe(2);
      expect(await pruneTelemetry(db, { now: new Date() })).toBeGreaterThanOrEqual(1);
      expect(await hours()).toBe(1);
      // The timer prunes at start; a shorter retention takes the other bucket too.
      const retention = startTelemetryRetention({ db, logger: pino({ level: "silent" }), retentionDays: 7 });
      await retention.stop();
      expect(await hours()).toBe(0);
    });

    it("prunes event buckets and SDK instances older than the retention, keeping recent ones", async () => {
      const db = server.database.db;
      const minute = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000);
      await addEventCounts(db, [
        {
          environmentKey: "staging",
          source: "server",
          event: "old-event",
          flagKey: "",
          variation: -1,
          minute: minute(daysAgo(31)),
          count: 1,
        },
        {
          environmentKey: "staging",
          source: "server",
          event: "new-event",
          flagKey: "",
          variation: -1,
          minute: minute(daysAgo(1)),
          count: 1,
        },
      ]);
      await recordInstanceReports(db, [
        { environmentKey: "staging", instanceId: "gone-instance", sdk: "node", version: 1, at: daysAgo(31), relayId: null },
        { environmentKey: "staging", instanceId: "live-instance", sdk: "node", version: 1, at: daysAgo(1), relayId: null },
      ]);
      await pruneTelemetry(db, { now: new Date() });
      const events = (await readEventCounts(db, "staging")).map((r) => r.event);
      expect(events).toContain("new-event");
      expect(events).not.toContain("old-event");
      const instances = (await listInstances(db, "staging", daysAgo(400))).map((i) => i.instanceId);
      expect(instances).toContain("live-instance");
      expect(instances).not.toContain("gone-instance");
    });

    it("answers Markdown for a pull-request comment", async () => {
      const res = await server.request("GET", "/api/reports/stale?format=markdown&fullyRolledOutDays=0");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
      expect(res.body).toMatch(/^### Stale flags: \d+ of \d+ flags\n\n\| Flag \| Reason \| Since \| Evidence \| Suggested action \|\n/);
      expect(res.body).toContain("| `staging-only` | FULLY_ROLLED_OUT |");
    });

    it("refuses every bad query value with a 400 naming it, and other tokens with 401/403", async () => {
      const bad = await server.request(
        "GET",
        "/api/reports/stale?format=xml&notEvaluatedDays=-1&fullyRolledOutDays=1.5&disabledDays=9999&bogus=1",
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("VALIDATION_FAILED");
      expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
        "",
        "disabledDays",
        "format",
        "fullyRolledOutDays",
        "notEvaluatedDays",
      ]);
      expect(JSON.stringify(bad.body.error.details)).toContain("bogus");
      const env = await server.request("GET", "/api/reports/stale?environment=nope");
      expect(env.status).toBe(400);
      expect(env.body).toEqual({
        error: {
          code: "VALIDATION_FAILED",
          message: "Invalid query: environment: no environment 'nope'",
          details: [{ path: "environment", message: "no environment 'nope'" }],
        },
      });
      expect((await server.request("GET", "/api/reports/stale", { token: serverToken })).status).toBe(403);
      expect((await server.request("GET", "/api/reports/stale", { token: null })).status).toBe(401);
    });
  });
}

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`code references on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      for (const key of ["new-checkout", "unused", "old-banner"])
        await server.request("POST", "/api/flags", { body: { key, permanent: true } });
      await server.request("DELETE", "/api/flags/old-banner");
    });
    afterAll(() => server?.close());
    const reasons = async () => {
      const res = await server.request("GET", "/api/reports/stale");
      return Object.fromEntries(
        res.body.flags.map((e: { flag: string; reasons: Array<{ code: string }> }) => [e.flag, e.reasons.map((r) => r.code)]),
      );
    };

    it("claims nothing from code before the first upload", async () => {
      expect(await reasons()).toEqual({});
    });

    it("takes an upload per repository and branch, and says which keys name no flag", async () => {
      const res = await server.request("POST", "/api/code-refs", {
        body: {
          repository: "acme/shop",
          branch: "main",
          refs: [
            { flag: "new-checkout", path: "src/checkout.ts", line: 12, text: 'if (flags.isEnabled("new-checkout", user)) {' },
            { flag: "new-checkout", path: "src/checkout.ts", line: 12 },
            { flag: "old-banner", path: "src/banner.tsx", line: 3 },
            { flag: "new-chekout", path: "src/typo.ts", line: 1 },
          ],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        repository: "acme/shop",
        branch: "main",
        uploadedAt: timestamp,
        uploadedBy: "first admin",
        refCount: 3,
        flags: 3,
        unknownFlags: ["new-chekout"],
      });
      expect(await reasons()).toEqual({ unused: ["NOT_IN_CODE"], "old-banner": ["ARCHIVED_BUT_IN_CODE"] });
      const list = await server.request("GET", "/api/code-refs?flag=new-checkout");
      expect(list.body).toEqual({
        uploads: [{ repository: "acme/shop", branch: "main", uploadedAt: timestamp, uploadedBy: "first admin", refCount: 3 }],
        refs: [
          {
            flag: "new-checkout",
            repository: "acme/shop",
            branch: "main",
            path: "src/checkout.ts",
            line: 12,
            text: 'if (flags.isEnabled("new-checkout", user)) {',
          },
        ],
      });
    });

    it("replaces that repository and branch's references on the next upload", async () => {
      await server.request("POST", "/api/code-refs", {
        body: { repository: "acme/shop", branch: "main", refs: [{ flag: "new-checkout", path: "src/checkout.ts", line: 20 }] },
      });
      expect(await reasons()).toEqual({ unused: ["NOT_IN_CODE"] });
      await server.request("POST", "/api/code-refs", {
        body: { repository: "acme/admin", branch: "main", refs: [{ flag: "unused", path: "admin.py", line: 9 }] },
      });
      expect(await reasons()).toEqual({});
      const all = await server.request("GET", "/api/code-refs");
      expect(all.body.refs.map((r: { flag: string; repository: string; line: number }) => `${r.repository}:${r.flag}:${r.line}`)).toEqual([
        "acme/shop:new-checkout:20",
        "acme/admin:unused:9",
      ]);
      // A report can take its code evidence from one scan only, e.g. a pull request's branch.
      const scoped = await server.request("GET", "/api/reports/stale?repository=acme/shop&branch=main");
      expect(scoped.body.coverage.codeRefUploads.map((u: { repository: string }) => u.repository)).toEqual(["acme/shop"]);
      expect(scoped.body.flags.map((e: { flag: string }) => e.flag)).toEqual(["unused"]);
      const unknownScan = await server.request("GET", "/api/reports/stale?repository=acme/shop&branch=nope");
      expect(unknownScan.status).toBe(400);
      expect(unknownScan.body.error.details).toEqual([
        { path: "repository", message: "no code references were uploaded for acme/shop, branch nope" },
      ]);
      const deleted = await server.request("DELETE", "/api/code-refs?repository=acme/admin&branch=main");
      expect(deleted.status).toBe(200);
      expect(await reasons()).toEqual({ unused: ["NOT_IN_CODE"] });
      expect((await server.request("DELETE", "/api/code-refs?repository=acme/admin&branch=main")).status).toBe(404);
    });

    it("refuses more than the matched line, and bad uploads, naming each problem", async () => {
      const res = await server.request("POST", "/api/code-refs", {
        body: {
          repository: "",
          branch: "main",
          refs: [
            { flag: "Bad Key", path: "a.ts", line: 0, text: "x".repeat(301) },
            { flag: "ok", path: "b.ts", line: 1, text: "one\ntwo" },
          ],
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
        "repository",
        "refs[0].flag",
        "refs[0].line",
        "refs[0].text",
        "refs[1].text",
      ]);
      expect((await server.request("GET", "/api/code-refs?limit=0")).status).toBe(400);
      expect((await server.request("POST", "/api/code-refs", { token: null, body: {} })).status).toBe(401);
    });
  });
}
