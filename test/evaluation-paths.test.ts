import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenFeature } from "@openfeature/server-sdk";
import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import { SwitchyardProvider } from "@switchyard/sdk-node/openfeature";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./support/server-process";

/*
 * One context, four ways in: the Node SDK's variationDetail, the Node OpenFeature provider,
 * POST /api/client/evaluate and OFREP. They share one evaluator, so they must agree on value,
 * reason and error code, the two OpenFeature paths on the variant, and the two Switchyard paths
 * on the variation — for rules on targetingKey and key, nested attribute paths, segments and
 * rollouts bucketed by a nested attribute.
 */

const ADMIN = "sy_admin_e2e_evaluation_paths_0001";
const quiet = { warn: () => {}, error: () => {} };
const on = (attribute: string, values: string[]) => ({
  enabled: true,
  rules: [{ id: "match", conditions: [{ attribute, operator: "in", values }], serve: { variation: 0 } }],
  fallthrough: { variation: 1 },
});

const FLAGS: Array<{ key: string; variations?: unknown[]; config: Record<string, unknown> }> = [
  { key: "on-targeting-key", config: on("targetingKey", ["ann"]) },
  { key: "on-key", config: on("key", ["ann"]) },
  { key: "on-nested", config: on("user.tier", ["gold"]) },
  { key: "on-dotted-name", config: on("app\\.channel", ["beta"]) },
  {
    key: "in-segment",
    config: {
      enabled: true,
      rules: [{ id: "vip", conditions: [], segments: ["vips"], serve: { variation: 0 } }],
      fallthrough: { variation: 1 },
    },
  },
  {
    key: "by-org",
    variations: ["red", "green", "blue"],
    config: { enabled: true, fallthrough: { rollout: { bucketBy: "org.id", weights: [33_334, 33_333, 33_333] } } },
  },
  { key: "by-identity", config: { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } } },
];

const CONTEXTS: Array<Record<string, unknown>> = [
  { targetingKey: "ann" },
  { key: "ann" },
  { targetingKey: "bob", user: { tier: "gold" }, org: { id: "acme" } },
  { key: "carol", targetingKey: "carol", user: { tier: "silver" }, org: { id: 7 }, "app.channel": "beta" },
  { targetingKey: "vip-1", org: { id: "initech" } },
  { targetingKey: "dave", account: { tier: "gold" }, org: { id: "acme" } },
  { plan: "no identity" },
];

interface Outcome {
  value: unknown;
  reason: string;
  errorCode?: string;
  variant?: string;
  variation?: number | null;
}

describe("every evaluation path serves a context alike", () => {
  let server: ServerProcess;
  let dataDir: string;
  let serverToken: string;
  let clientToken: string;
  let sdk: SwitchyardClient;

  const api = async (method: string, path: string, body: unknown, token = ADMIN) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "switchyard-paths-e2e-"));
    server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_ADMIN_TOKEN: ADMIN, SWITCHYARD_DEMO: "false" });
    await api("POST", "/api/segments", {
      key: "vips",
      included: ["vip-1"],
      excluded: [],
      rules: [{ conditions: [{ attribute: "account.tier", operator: "in", values: ["gold"] }] }],
    });
    for (const flag of FLAGS) {
      await api("POST", "/api/flags", { key: flag.key, ...(flag.variations ? { variations: flag.variations } : {}) });
      await api("PUT", `/api/flags/${flag.key}/environments/production`, flag.config);
    }
    serverToken = String((await api("POST", "/api/tokens", { name: "paths-service", kind: "server", environment: "production" })).token);
    clientToken = String((await api("POST", "/api/tokens", { name: "paths-web", kind: "client", environment: "production" })).token);
    sdk = createClient({ url: server.url, token: serverToken, logger: quiet, sendMetrics: false });
    await sdk.ready();
    await OpenFeature.setProviderAndWait(
      "evaluation-paths",
      new SwitchyardProvider({ url: server.url, token: serverToken, sendMetrics: false, logger: quiet }),
    );
  });
  afterAll(async () => {
    await OpenFeature.close();
    await sdk?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const fallbackOf = (key: string) => (key === "by-org" ? "fallback" : false);

  async function viaSdk(key: string, context: Record<string, unknown>): Promise<Outcome> {
    const fallback = fallbackOf(key);
    const detail = typeof fallback === "string" ? sdk.variationDetail(key, context, fallback) : sdk.variationDetail(key, context, fallback);
    return { value: detail.value, reason: detail.reason, errorCode: detail.errorCode, variation: detail.variation };
  }

  async function viaProvider(key: string, context: Record<string, unknown>): Promise<Outcome> {
    const client = OpenFeature.getClient("evaluation-paths");
    const fallback = fallbackOf(key);
    // Parsed boundary: the contexts above are JSON values, which OpenFeature's context type admits.
    const ofContext = context as Parameters<typeof client.getBooleanDetails>[2];
    const details =
      typeof fallback === "string"
        ? await client.getStringDetails(key, fallback, ofContext)
        : await client.getBooleanDetails(key, fallback, ofContext);
    return { value: details.value, reason: details.reason ?? "", errorCode: details.errorCode, variant: details.variant };
  }

  async function viaClientEvaluate(context: Record<string, unknown>): Promise<Record<string, Outcome>> {
    const body = await api("POST", "/api/client/evaluate", { context }, clientToken);
    // Parsed boundary: the answer's `flags` is a map of evaluation results.
    return body.flags as Record<string, Outcome>;
  }

  async function viaOfrep(context: Record<string, unknown>): Promise<Record<string, Outcome>> {
    const body = await api("POST", "/ofrep/v1/evaluate/flags", { context }, clientToken);
    // Parsed boundary: OFREP's bulk answer.
    const flags = body.flags as Array<Outcome & { key: string }>;
    return Object.fromEntries(flags.map((flag) => [flag.key, flag]));
  }

  it("agrees on value, reason, error code, variant and variation for every flag and context", async () => {
    const served: Record<string, string> = {};
    for (const context of CONTEXTS) {
      const [client, ofrep] = await Promise.all([viaClientEvaluate(context), viaOfrep(context)]);
      for (const { key } of FLAGS) {
        const label = `${key} for ${JSON.stringify(context)}`;
        const [node, provider] = [await viaSdk(key, context), await viaProvider(key, context)];
        const fromClient = client[key];
        const fromOfrep = ofrep[key];
        if (node.reason === "ERROR") {
          expect({ provider: provider.errorCode, client: fromClient?.errorCode, ofrep: fromOfrep?.errorCode }, label).toEqual({
            provider: node.errorCode,
            client: node.errorCode,
            ofrep: node.errorCode,
          });
          expect([provider.value, fromClient?.value], label).toEqual([fallbackOf(key), null]);
          served[label] = String(node.errorCode);
          continue;
        }
        const outcome = { value: node.value, reason: node.reason };
        expect({ value: provider.value, reason: provider.reason }, `provider: ${label}`).toEqual(outcome);
        expect({ value: fromClient?.value, reason: fromClient?.reason }, `client: ${label}`).toEqual(outcome);
        expect({ value: fromOfrep?.value, reason: fromOfrep?.reason }, `ofrep: ${label}`).toEqual(outcome);
        expect(fromOfrep?.variant, `variant: ${label}`).toBe(provider.variant);
        expect(fromClient?.variation, `variation: ${label}`).toBe(node.variation);
        served[label] = `${JSON.stringify(node.value)} ${node.reason}`;
      }
    }
    // What they agree on is what the rules say.
    const ann = '{"targetingKey":"ann"}';
    const annByKey = '{"key":"ann"}';
    expect(served[`on-targeting-key for ${ann}`]).toBe("true TARGETING_MATCH");
    expect(served[`on-targeting-key for ${annByKey}`]).toBe("true TARGETING_MATCH");
    expect(served[`on-key for ${ann}`]).toBe("true TARGETING_MATCH");
    expect(served[`on-key for ${annByKey}`]).toBe("true TARGETING_MATCH");
    const bob = JSON.stringify(CONTEXTS[2]);
    expect(served[`on-nested for ${bob}`]).toBe("true TARGETING_MATCH");
    expect(served[`on-targeting-key for ${bob}`]).toBe("false DEFAULT");
    expect(served[`on-dotted-name for ${JSON.stringify(CONTEXTS[3])}`]).toBe("true TARGETING_MATCH");
    expect(served[`in-segment for ${JSON.stringify(CONTEXTS[4])}`]).toBe("true TARGETING_MATCH");
    expect(served[`in-segment for ${JSON.stringify(CONTEXTS[5])}`]).toBe("true TARGETING_MATCH");
    expect(served[`in-segment for ${bob}`]).toBe("false DEFAULT");
    // The same org gets the same colour whoever the user is; no org.id, no bucket.
    expect(served[`by-org for ${bob}`]).toMatch(/ SPLIT$/);
    expect(served[`by-org for ${bob}`]).toBe(served[`by-org for ${JSON.stringify(CONTEXTS[5])}`]);
    expect(served[`by-org for ${ann}`]).toBe("TARGETING_KEY_MISSING");
    expect(served[`by-identity for ${JSON.stringify(CONTEXTS[6])}`]).toBe("TARGETING_KEY_MISSING");
    expect(served[`by-identity for ${ann}`]).toBe(served[`by-identity for ${annByKey}`]);
  });
});
