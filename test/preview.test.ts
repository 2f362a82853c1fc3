import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bucket } from "@switchyard/core";
import { createClient } from "@switchyard/sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApi } from "./support/admin-api";
import { startServerProcess, type ServerProcess } from "./support/server-process";

const ADMIN = "sy_admin_e2e_preview_token_00001";
const quiet = { warn: () => {}, error: () => {} };
const path = "/api/flags/new-checkout/environments/production";

const api = (server: ServerProcess, method: string, path: string, body?: unknown) => adminApi(() => server, ADMIN)(method, path, body);

const plans = ["free", "free", "pro", "enterprise"] as const;
/** Three services' users: 600 contexts, each evaluated three times. */
const users = Array.from({ length: 600 }, (_, i) => ({ key: `user-${i}`, plan: plans[i % 4] ?? "free", email: `user-${i}@example.com` }));
const proRule = { id: "pro", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 0 } };
const rolloutAt = (on: number, rules: unknown[] = [proRule]) => ({
  enabled: true,
  rules,
  fallthrough: { rollout: { weights: [on, 100_000 - on] } },
});
const bucketOf = (key: string) => bucket("new-checkout", key);

/** Node SDKs evaluating real contexts fill the sample; previews read it through the real server. */
describe("previews over contexts seen by Node SDKs", () => {
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-preview-e2e-"));
    // No PORT: the helper picks a free one.
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    await api(server, "POST", "/api/flags", { key: "new-checkout" });
    await api(server, "PUT", path, rolloutAt(10_000));
    const token = String(
      (await api(server, "POST", "/api/tokens", { name: "checkout", kind: "server", environment: "production" })).body.token,
    );
    const services = [0, 1, 2].map(() => createClient({ url: server.url, token, logger: quiet }));
    await Promise.all(services.map((s) => s.ready()));
    users.forEach((user, i) => {
      const service = services[i % 3];
      for (let n = 0; n < 3; n++) service?.isEnabled("new-checkout", user);
    });
    // close() sends each service's last report, with its context sample.
    await Promise.all(services.map((s) => s.close()));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reports exactly the contexts a 10 % → 50 % rollout flips, as the core buckets them", async () => {
    const res = await api(server, "POST", `${path}/preview`, rolloutAt(50_000));
    expect(res.status).toBe(200);
    const flipping = users.filter((u) => u.plan !== "pro" && bucketOf(u.key) >= 10_000 && bucketOf(u.key) < 50_000);
    expect(res.body.contexts).toEqual({ seen: 600, requested: 0, evaluations: 1_800, sampling: true });
    expect(res.body.flips).toEqual({ contexts: flipping.length, evaluations: 3 * flipping.length, share: flipping.length / 600 });
    expect(res.body.rollouts).toEqual([
      { serve: "fallthrough", before: [10_000, 90_000], after: [50_000, 50_000], flipShare: 0.4, exact: true },
    ]);
    const flippingKeys = new Set(flipping.map((u) => u.key));
    for (const example of res.body.examples) {
      expect(flippingKeys.has(example.context.key)).toBe(true);
      // The key and the attribute the rules read: the SDK never sent the email.
      expect(Object.keys(example.context).sort()).toEqual(["key", "plan"]);
      expect(example).toMatchObject({ weight: 3, before: { variation: 1, reason: "SPLIT" }, after: { variation: 0, reason: "SPLIT" } });
    }
  });

  it("names the rule that decides after a rule change", async () => {
    const enterprise = {
      id: "enterprise",
      conditions: [{ attribute: "plan", operator: "in", values: ["enterprise"] }],
      serve: { variation: 0 },
    };
    const res = await api(server, "POST", `${path}/preview`, rolloutAt(10_000, [proRule, enterprise]));
    const flipping = users.filter((u) => u.plan === "enterprise" && bucketOf(u.key) >= 10_000);
    expect(res.body.flips.contexts).toBe(flipping.length);
    expect(res.body.examples[0]).toMatchObject({
      context: { plan: "enterprise" },
      before: { value: false, reason: "SPLIT" },
      after: { value: true, reason: "TARGETING_MATCH", ruleId: "enterprise" },
    });
  });

  it("dryRun writes and audits nothing; above confirmFlipShare a write needs confirm", async () => {
    const audit = await api(server, "GET", "/api/audit?flag=new-checkout");
    const dry = await api(server, "PUT", `${path}?dryRun=true`, rolloutAt(50_000));
    expect(dry.body).toMatchObject({ dryRun: true, config: { version: 3 }, preview: { rollouts: [{ flipShare: 0.4 }] } });
    expect((await api(server, "GET", path)).body.version).toBe(2);
    expect(await api(server, "GET", "/api/audit?flag=new-checkout")).toEqual(audit);

    await api(server, "PATCH", "/api/environments/production", { confirmFlipShare: 0.2 });
    const refused = await api(server, "PUT", path, rolloutAt(50_000));
    expect(refused.status).toBe(428);
    expect(refused.body.error.details.flips.share).toBeGreaterThan(0.2);
    const confirmed = await api(server, "PUT", path, { ...rolloutAt(50_000), confirm: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.version).toBe(3);
  });
});
