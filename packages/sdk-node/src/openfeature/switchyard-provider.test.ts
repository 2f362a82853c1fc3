import { type EventDetails, OpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/server-sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { booleanFlag, snapshot, staticFlag } from "../testing/fixtures";
import { type Harness, harness } from "../testing/harness";
import { SwitchyardProvider } from "./switchyard-provider";

const initial = snapshot(1, [
  {
    ...booleanFlag("vip", true),
    rules: [{ id: "ann", conditions: [{ attribute: "key", operator: "in", values: ["ann"] }], serve: { variation: 0 } }],
    fallthrough: { variation: 1 },
  },
  staticFlag("color", ["red", "green"], 1),
  staticFlag("limit", [10], 0),
  staticFlag("config", [{ retries: 3 }], 0),
  staticFlag("launch", [true], 0),
  {
    ...staticFlag("layout", ["classic", "one-page"], 1),
    variationNames: ["classic", "one-page"],
    metadata: { owner: "payments", ticket: 4411 },
    rules: [{ id: "beta", conditions: [{ attribute: "beta", operator: "in", values: [true] }], serve: { variation: 0 } }],
  },
  {
    ...booleanFlag("launched", true),
    rules: [
      { id: "after", conditions: [{ attribute: "signup", operator: "after", values: ["2026-01-01T00:00:00Z"] }], serve: { variation: 0 } },
    ],
    fallthrough: { variation: 1 },
  },
]);

let domainCount = 0;

describe("SwitchyardProvider", () => {
  let h: Harness;
  let domain: string;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
    domainCount += 1;
    domain = `switchyard-test-${domainCount}`;
  });
  afterEach(async () => {
    await OpenFeature.clearProviders();
    await h.cleanup();
  });

  it("resolves every type with the SDK's detail, targetingKey as key", async () => {
    await OpenFeature.setProviderAndWait(domain, new SwitchyardProvider(h.client()));
    const client = OpenFeature.getClient(domain);
    expect(await client.getBooleanDetails("vip", false, { targetingKey: "ann" })).toStrictEqual({
      flagKey: "vip",
      flagMetadata: { ruleId: "ann" },
      value: true,
      variant: "0",
      reason: "TARGETING_MATCH",
    });
    expect(await client.getStringDetails("color", "blue")).toMatchObject({ value: "green", variant: "1", reason: "STATIC" });
    expect(await client.getNumberValue("limit", 0)).toBe(10);
    expect(await client.getObjectValue("config", {})).toStrictEqual({ retries: 3 });
    expect(await client.getBooleanValue("launched", false, { signup: new Date("2026-06-01T00:00:00Z") })).toBe(true);
  });

  it("reports the variation's name as variant and the flag's metadata beside the rule id", async () => {
    await OpenFeature.setProviderAndWait(domain, new SwitchyardProvider(h.client()));
    const client = OpenFeature.getClient(domain);
    expect(await client.getStringDetails("layout", "?", { targetingKey: "u1", beta: true })).toStrictEqual({
      flagKey: "layout",
      flagMetadata: { owner: "payments", ticket: 4411, ruleId: "beta" },
      value: "classic",
      variant: "classic",
      reason: "TARGETING_MATCH",
    });
    expect(await client.getStringDetails("layout", "?", { targetingKey: "u1" })).toStrictEqual({
      flagKey: "layout",
      flagMetadata: { owner: "payments", ticket: 4411 },
      value: "one-page",
      variant: "one-page",
      reason: "DEFAULT",
    });
  });

  it("maps errors to OpenFeature's codes, serving the default", async () => {
    await OpenFeature.setProviderAndWait(domain, new SwitchyardProvider(h.client()));
    const client = OpenFeature.getClient(domain);
    expect(await client.getBooleanDetails("missing", true)).toMatchObject({
      value: true,
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
      errorMessage: 'flag "missing" not found',
    });
    expect(await client.getBooleanDetails("color", false)).toMatchObject({ value: false, errorCode: "TYPE_MISMATCH" });
    expect(await client.getObjectDetails("launch", { fallback: true })).toMatchObject({
      value: { fallback: true },
      errorCode: "TYPE_MISMATCH",
    });
  });

  it("emits ConfigurationChanged with the changed keys", async () => {
    const provider = new SwitchyardProvider(h.client());
    await OpenFeature.setProviderAndWait(domain, provider);
    const changed = new Promise<EventDetails | undefined>((resolve) =>
      OpenFeature.getClient(domain).addHandler(ProviderEvents.ConfigurationChanged, resolve),
    );
    h.server.patchFlag(staticFlag("color", ["red", "green"], 0, 2));
    expect(await changed).toMatchObject({ flagsChanged: ["color"] });
    expect(await OpenFeature.getClient(domain).getStringValue("color", "blue")).toBe("red");
  });

  it("goes stale when the stream is lost and ready when it is back", async () => {
    const provider = new SwitchyardProvider(h.client({ heartbeatTimeoutMs: 150 }));
    await OpenFeature.setProviderAndWait(domain, provider);
    const client = OpenFeature.getClient(domain);
    const stale = new Promise((resolve) => client.addHandler(ProviderEvents.Stale, resolve));
    await stale;
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    await vi.waitFor(() => expect(client.providerStatus).toBe(ProviderStatus.READY));
  });

  it("fails initialization fatally on a rejected token when it has nothing to serve", async () => {
    const provider = new SwitchyardProvider(h.client({ token: "wrong" }));
    await expect(OpenFeature.setProviderAndWait(domain, provider)).rejects.toThrow("Switchyard rejected the SDK token (401)");
    expect(OpenFeature.getClient(domain).providerStatus).toBe(ProviderStatus.FATAL);
  });

  it("forwards track, and closes the client it created", async () => {
    const provider = new SwitchyardProvider({ url: h.server.url, token: "srv_test_token", logger: h.logger });
    await OpenFeature.setProviderAndWait(domain, provider);
    const client = OpenFeature.getClient(domain);
    await client.getBooleanValue("vip", false, { targetingKey: "ann" });
    client.track("checkout", { targetingKey: "ann" }, { value: 42 });
    await OpenFeature.clearProviders();
    expect(h.server.openStreams()).toHaveLength(0);
    expect(h.server.metrics.at(-1)).toMatchObject({
      evaluations: [{ flag: "vip", variation: 0, count: 1 }],
      events: [{ event: "checkout", flag: "vip", variation: 0, count: 1 }],
    });
  });

  it("leaves a client it was given open", async () => {
    const switchyard = h.client();
    await OpenFeature.setProviderAndWait(domain, new SwitchyardProvider(switchyard));
    await OpenFeature.clearProviders();
    expect(h.server.openStreams()).toHaveLength(1);
    expect(switchyard.isEnabled("launch")).toBe(true);
  });
});
