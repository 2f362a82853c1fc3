import { bucket } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, startTestServer, type TestServer } from "./harness";

const path = "/api/flags/checkout/environments/production";
const proRule = { id: "pro", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 0 } };
const rolloutAt = (on: number) => ({
  enabled: true,
  rules: [proRule],
  fallthrough: { rollout: { bucketBy: "key", weights: [on, 100_000 - on] } },
});
const users = Array.from({ length: 300 }, (_, i) => ({ key: `user-${i}`, plan: i % 5 === 0 ? "pro" : "free", email: `u${i}@example.com` }));
/** The users a 10 % → 50 % rollout flips, by the core's own bucketing: not pro, bucket in [10000, 50000). */
const flipping = users.filter((u) => u.plan !== "pro" && bucket("checkout", u.key) >= 10_000 && bucket("checkout", u.key) < 50_000);

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`previews on ${backend.name}`, () => {
    let server: TestServer;
    let client: string;
    beforeAll(async () => {
      server = await startTestServer(backend.name);
      await server.request("POST", "/api/flags", { body: { key: "checkout" } });
      await server.request("POST", "/api/flags", { body: { key: "payments" } });
      await server.request("PUT", path, { body: rolloutAt(10_000) });
      await server.request("PUT", "/api/flags/payments/environments/production", {
        body: { enabled: true, fallthrough: { variation: 0 }, prerequisites: [{ flag: "checkout", variation: 0 }] },
      });
      client = await server.token("client", "production");
      for (const user of users) await server.request("POST", "/api/client/evaluate", { token: client, body: { context: user } });
    });
    afterAll(() => server?.close());

    it("reports the flips of a 10 % → 50 % rollout: the core's buckets, the exact share, and the dependent flag", async () => {
      const res = await server.request("POST", `${path}/preview`, { body: rolloutAt(50_000) });
      expect(res.status).toBe(200);
      const body = res.body;
      expect(body.contexts).toEqual({ seen: 300, requested: 0, evaluations: 300, sampling: true });
      expect(body.flips).toEqual({ contexts: flipping.length, evaluations: flipping.length, share: flipping.length / 300 });
      const flippingKeys = new Set(flipping.map((u) => u.key));
      expect(body.examples.filter((f: { context: { key: string } }) => !flippingKeys.has(f.context.key))).toEqual([]);
      expect(body.examples).toHaveLength(Math.min(20, flipping.length));
      // Only the key and what the rules read (plan) are kept: never the email.
      expect(body.examples[0]).toEqual({
        context: { key: expect.any(String), plan: "free" },
        weight: 1,
        before: { value: false, variation: 1, reason: "SPLIT" },
        after: { value: true, variation: 0, reason: "SPLIT" },
      });
      expect(body.rollouts).toEqual([
        { serve: "fallthrough", before: [10_000, 90_000], after: [50_000, 50_000], flipShare: 0.4, exact: true },
      ]);
      const on = (counts: Array<{ variation: number | null; contexts: number }>) => counts.find((c) => c.variation === 0)?.contexts;
      expect(on(body.after)! - on(body.before)!).toBe(flipping.length);
      expect(body.dependents).toEqual([expect.objectContaining({ flag: "payments", flips: body.flips })]);
      expect(body).toMatchObject({
        flag: "checkout",
        environment: "production",
        change: "put",
        currentVersion: 2,
        unsampledAttributes: [],
      });
    });

    it("names the deciding rule, counts the request's own contexts, and says which attributes the sample lacks", async () => {
      const germany = { id: "germany", conditions: [{ attribute: "country", operator: "in", values: ["DE"] }], serve: { variation: 0 } };
      const res = await server.request("POST", `${path}/preview`, {
        body: { ...rolloutAt(10_000), rules: [germany, proRule], contexts: [{ key: "berlin-1", country: "DE", plan: "free" }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.contexts).toMatchObject({ seen: 300, requested: 1 });
      expect(res.body.unsampledAttributes).toEqual(["country"]);
      const berlin = bucket("checkout", "berlin-1") < 10_000;
      expect(res.body.flips.contexts).toBe(berlin ? 0 : 1);
      if (!berlin)
        expect(res.body.examples).toEqual([
          {
            context: { key: "berlin-1", country: "DE", plan: "free" },
            weight: 1,
            before: { value: false, variation: 1, reason: "SPLIT" },
            after: { value: true, variation: 0, reason: "TARGETING_MATCH", ruleId: "germany" },
          },
        ]);
    });

    it("previews a restore and an archive, and refuses what a write would refuse", async () => {
      const restore = await server.request("POST", `${path}/preview`, { body: { restoreVersion: 1 } });
      expect(restore.status).toBe(200);
      expect(restore.body).toMatchObject({ change: "restore", config: { enabled: false } });
      const on = users.filter((u) => u.plan === "pro" || bucket("checkout", u.key) < 10_000);
      expect(restore.body.flips.contexts).toBe(on.length);

      const archive = await server.request("POST", `${path}/preview`, { body: { archive: true } });
      expect(archive.status).toBe(200);
      expect(archive.body.config).toBeNull();
      expect(archive.body.flips.contexts).toBe(300);
      expect(archive.body.examples[0].after).toEqual({ value: null, variation: null, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });

      const invalid = await server.request("POST", `${path}/preview`, { body: { enabled: true, fallthrough: { variation: 7 } } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.details).toEqual([{ path: "fallthrough.variation", message: expect.any(String) }]);
      const missing = await server.request("POST", `${path}/preview`, { body: { restoreVersion: 99 } });
      expect(missing.status).toBe(404);
      // Beyond what a version column holds: a 400 at the edge, not the database's overflow as a 500.
      const huge = await server.request("POST", `${path}/preview`, { body: { restoreVersion: 2_147_483_648 } });
      expect(huge.status).toBe(400);
      expect(huge.body.error.details).toEqual([{ path: "restoreVersion", message: expect.any(String) }]);
    });

    it("?dryRun=true answers the validated config and the preview, and writes and audits nothing", async () => {
      const audit = await server.request("GET", "/api/audit?flag=checkout&limit=200");
      const dry = await server.request("PUT", `${path}?dryRun=true`, { body: rolloutAt(50_000) });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({
        dryRun: true,
        config: {
          flag: "checkout",
          environment: "production",
          version: 3,
          rules: [{ ...proRule, conditions: [{ negate: false }], serve: { variation: expect.stringMatching(/^[0-9a-f]{8}$/) } }],
        },
        preview: { flips: { contexts: flipping.length } },
      });
      const patch = await server.request("PATCH", `${path}?dryRun=true`, { body: { enabled: false } });
      expect(patch.body).toMatchObject({ dryRun: true, config: { enabled: false, version: 3 } });
      const restore = await server.request("POST", `${path}/versions/1/restore?dryRun=true`);
      expect(restore.body).toMatchObject({ dryRun: true, config: { enabled: false, version: 3 } });
      expect((await server.request("GET", path)).body.version).toBe(2);
      expect((await server.request("GET", "/api/audit?flag=checkout&limit=200")).body).toEqual(audit.body);
    });

    it("asks for confirmation (428 with the preview) above the environment's confirmFlipShare; deploy flag-offs pass", async () => {
      const settings = await server.request("PATCH", "/api/environments/production", { body: { confirmFlipShare: 0.1 } });
      expect(settings.body).toMatchObject({ confirmFlipShare: 0.1, seenContexts: true });
      const refused = await server.request("PUT", path, { body: rolloutAt(50_000) });
      expect(refused.status).toBe(428);
      expect(refused.body.error).toMatchObject({
        code: "PRECONDITION_REQUIRED",
        message: expect.stringContaining('send it again with "confirm": true'),
        details: { flips: { contexts: flipping.length }, rollouts: [{ flipShare: 0.4 }] },
      });
      expect((await server.request("GET", path)).body.version).toBe(2);
      const small = await server.request("PUT", path, { body: rolloutAt(11_000) });
      expect(small.status).toBe(200);
      const confirmed = await server.request("PUT", path, { body: { ...rolloutAt(50_000), confirm: true } });
      expect(confirmed.status).toBe(200);

      expect((await server.request("PATCH", path, { body: { enabled: false } })).status).toBe(428);
      const deploy = await server.token("deploy", "production");
      // A dry run would show a deploy token the config and the contexts: refused.
      const dry = await server.request("PATCH", `${path}?dryRun=true`, { token: deploy, body: { enabled: false } });
      expect(dry.body).toEqual({ error: { code: "FORBIDDEN", message: "A deploy token cannot dry-run config changes" } });
      const off = await server.request("PATCH", path, { token: deploy, body: { enabled: false } });
      expect(off.status).toBe(200);
      await server.request("PATCH", "/api/environments/production", { body: { confirmFlipShare: null } });
    });

    it("adds Node SDK contexts with their counts, and forgets the sample when sampling is turned off", async () => {
      const sdk = await server.token("server", "staging");
      // The sample keeps what staging's rules read when the context arrives: `plan` once this rule exists.
      await server.request("PUT", "/api/flags/checkout/environments/staging", { body: rolloutAt(0) });
      const report = await server.request("POST", "/api/sdk/metrics", {
        token: sdk,
        body: { instanceId: "i-1", contexts: [{ context: { key: "svc-1", plan: "pro", secret: "x" }, count: 40 }] },
      });
      expect(report.status).toBe(202);
      const preview = await server.request("POST", "/api/flags/checkout/environments/staging/preview", {
        body: { enabled: false, fallthrough: { variation: 0 } },
      });
      expect(preview.body.contexts).toEqual({ seen: 1, requested: 0, evaluations: 40, sampling: true });
      expect(preview.body.examples).toEqual([expect.objectContaining({ context: { key: "svc-1", plan: "pro" }, weight: 40 })]);
      // A later report reaches the next preview (the replica adds its own writes to the sample it read).
      await server.request("POST", "/api/sdk/metrics", {
        token: sdk,
        body: {
          instanceId: "i-2",
          contexts: [
            { context: { key: "svc-1", plan: "pro" }, count: 2 },
            { context: { key: "svc-3" }, count: 5 },
          ],
        },
      });
      const again = await server.request("POST", "/api/flags/checkout/environments/staging/preview", {
        body: { enabled: false, fallthrough: { variation: 0 } },
      });
      expect(again.body.contexts).toEqual({ seen: 2, requested: 0, evaluations: 47, sampling: true });

      const off = await server.request("PATCH", "/api/environments/staging", { body: { seenContexts: false } });
      expect(off.body.seenContexts).toBe(false);
      await server.request("POST", "/api/sdk/metrics", {
        token: sdk,
        body: { instanceId: "i-1", contexts: [{ context: { key: "svc-2" }, count: 1 }] },
      });
      const after = await server.request("POST", "/api/flags/checkout/environments/staging/preview", {
        body: { enabled: false, fallthrough: { variation: 0 } },
      });
      expect(after.body.contexts).toEqual({ seen: 0, requested: 0, evaluations: 0, sampling: false });
    });
  });
}
