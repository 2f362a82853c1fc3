import { OpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/web-sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeEventSource, FakeFetch, TOKEN, URL_BASE, evaluated, settle } from "../testing/fake-browser";
import { SwitchyardWebProvider } from "./switchyard-web-provider";

const on = { value: true, variation: 0, reason: "TARGETING_MATCH" } as const;
const off = { value: false, variation: 1, reason: "DISABLED" } as const;
const color = { value: "blue", variation: 2, reason: "SPLIT" } as const;
const limits = { value: { max: 3 }, variation: 1, reason: "DEFAULT" } as const;
const ratio = { value: 0.25, variation: 3, reason: "STATIC" } as const;

let domain = "";
let testNumber = 0;

function provider(fetch: FakeFetch, readyTimeoutMs = 5000) {
  return new SwitchyardWebProvider({
    url: URL_BASE,
    token: TOKEN,
    fetch: fetch.fetch,
    EventSource: FakeEventSource,
    storage: null,
    visibility: null,
    readyTimeoutMs,
  });
}

beforeEach(() => {
  FakeEventSource.reset();
  domain = `test-${++testNumber}`;
});
afterEach(async () => {
  vi.useRealTimers();
  await OpenFeature.clearProviders();
});

describe("SwitchyardWebProvider", () => {
  it("initializes with the OpenFeature context (targetingKey → key) and resolves every type synchronously", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": on, color, limits, ratio, off }));
    const announced: string[] = [];
    for (const event of [ProviderEvents.Ready, ProviderEvents.ConfigurationChanged, ProviderEvents.Error]) {
      OpenFeature.getClient(domain).addHandler(event, () => announced.push(event));
    }
    await OpenFeature.setProviderAndWait(domain, provider(fetch), { targetingKey: "user-42", plan: "pro" });
    await settle();
    const client = OpenFeature.getClient(domain);

    expect(announced).toEqual([ProviderEvents.Ready]);

    expect(fetch.requests[0]?.context).toEqual({ targetingKey: "user-42", key: "user-42", plan: "pro" });
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.getBooleanDetails("new-checkout", false)).toMatchObject({
      flagKey: "new-checkout",
      value: true,
      variant: "0",
      reason: "TARGETING_MATCH",
    });
    expect(client.getBooleanDetails("off", true)).toMatchObject({ value: false, variant: "1", reason: "DISABLED" });
    expect(client.getStringDetails("color", "red")).toMatchObject({ value: "blue", variant: "2", reason: "SPLIT" });
    expect(client.getNumberDetails("ratio", 1)).toMatchObject({ value: 0.25, variant: "3", reason: "STATIC" });
    expect(client.getObjectDetails("limits", { max: 1 })).toMatchObject({ value: { max: 3 }, variant: "1", reason: "DEFAULT" });
  });

  it("reports the variation's name as variant and the flag's metadata", async () => {
    const layout = { value: "one-page", variation: 1, variant: "one-page", reason: "STATIC" as const, metadata: { owner: "payments" } };
    await OpenFeature.setProviderAndWait(domain, provider(new FakeFetch(evaluated({ layout }))), { targetingKey: "user-42" });
    expect(OpenFeature.getClient(domain).getStringDetails("layout", "classic")).toStrictEqual({
      flagKey: "layout",
      flagMetadata: { owner: "payments" },
      value: "one-page",
      variant: "one-page",
      reason: "STATIC",
    });
  });

  it("maps missing flags and type mismatches to OpenFeature's error codes, serving the default", async () => {
    const fetch = new FakeFetch(evaluated({ color, broken: { value: null, variation: null, reason: "ERROR", errorCode: "PARSE_ERROR" } }));
    await OpenFeature.setProviderAndWait(domain, provider(fetch), { targetingKey: "user-42" });
    const client = OpenFeature.getClient(domain);

    expect(client.getBooleanDetails("missing", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(client.getNumberDetails("color", 5)).toMatchObject({ value: 5, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(client.getStringDetails("broken", "x")).toMatchObject({ value: "x", reason: "ERROR", errorCode: "PARSE_ERROR" });
    expect(client.getBooleanDetails("missing", true).variant).toBeUndefined();
  });

  it("emits ConfigurationChanged with the changed keys when the stream changes values", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    await OpenFeature.setProviderAndWait(domain, provider(fetch), { targetingKey: "user-42" });
    const client = OpenFeature.getClient(domain);
    const changed: unknown[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => changed.push(details?.flagsChanged));

    FakeEventSource.latest().send("patch", { flags: { "new-checkout": on }, deleted: [] });
    await settle();

    expect(changed).toEqual([["new-checkout"]]);
    expect(client.getBooleanValue("new-checkout", false)).toBe(true);
  });

  it("follows a context change: re-evaluates, reopens the stream for the new context", async () => {
    const fetch = new FakeFetch(evaluated({ "new-checkout": off }));
    await OpenFeature.setProviderAndWait(domain, provider(fetch), { targetingKey: "user-42" });
    const client = OpenFeature.getClient(domain);
    const events: string[] = [];
    client.addHandler(ProviderEvents.ContextChanged, () => events.push("context-changed"));
    client.addHandler(ProviderEvents.ConfigurationChanged, () => events.push("configuration-changed"));

    fetch.reply(evaluated({ "new-checkout": on }));
    await OpenFeature.setContext(domain, { targetingKey: "user-43", country: "NZ" });
    await settle();

    expect(fetch.requests[1]?.context).toEqual({ targetingKey: "user-43", key: "user-43", country: "NZ" });
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(FakeEventSource.latest().context()).toMatchObject({ key: "user-43", country: "NZ" });
    expect(client.getBooleanValue("new-checkout", false)).toBe(true);
    expect(events).toEqual(["context-changed"]);
  });

  it("becomes FATAL when the token is refused", async () => {
    const fetch = new FakeFetch({ status: 401 });
    await expect(OpenFeature.setProviderAndWait(domain, provider(fetch), { targetingKey: "user-42" })).rejects.toMatchObject({
      code: "PROVIDER_FATAL",
    });
    const client = OpenFeature.getClient(domain);
    expect(client.providerStatus).toBe(ProviderStatus.FATAL);
    expect(client.getBooleanDetails("new-checkout", true)).toMatchObject({ value: true, errorCode: "PROVIDER_FATAL" });
  });

  it("reports ERROR after the ready timeout and READY once values arrive", async () => {
    vi.useFakeTimers();
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    fetch.hold();
    const setting = OpenFeature.setProviderAndWait(domain, provider(fetch, 50), { targetingKey: "user-42" });
    const outcome = setting.then(
      () => "ready",
      () => "error",
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(await outcome).toBe("error");
    const client = OpenFeature.getClient(domain);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    const readyEvents: string[] = [];
    client.addHandler(ProviderEvents.Ready, () => readyEvents.push("ready"));

    fetch.release();
    await vi.advanceTimersByTimeAsync(0);

    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(readyEvents).toEqual(["ready"]);
    expect(client.getBooleanValue("new-checkout", false)).toBe(true);
  });

  it("emits Error when the client reports one after initialization", async () => {
    vi.useFakeTimers();
    const fetch = new FakeFetch(evaluated({ "new-checkout": on }));
    await OpenFeature.setProviderAndWait(domain, provider(fetch), { targetingKey: "user-42" });
    const client = OpenFeature.getClient(domain);
    const errors: unknown[] = [];
    client.addHandler(ProviderEvents.Error, (details) => errors.push(details?.message));

    FakeEventSource.latest().fail({ fatal: true });
    await vi.advanceTimersByTimeAsync(0);

    expect(errors).toEqual(["Stream closed"]);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(client.getBooleanValue("new-checkout", false)).toBe(true);
  });

  it("forwards track() when the client records events", async () => {
    const fetch = new FakeFetch(evaluated({}));
    const switchyard = provider(fetch);
    await OpenFeature.setProviderAndWait(domain, switchyard, { targetingKey: "user-42" });
    const track = vi.fn();
    Object.assign(switchyard.switchyardClient ?? {}, { track });

    OpenFeature.getClient(domain).track("purchase", { value: 30 });

    expect(track).toHaveBeenCalledWith("purchase", { value: 30 });
  });

  it("answers PROVIDER_NOT_READY before initialize and closes the client on close", async () => {
    const fetch = new FakeFetch(evaluated({}));
    const switchyard = provider(fetch);
    expect(switchyard.resolveBooleanEvaluation("x", true)).toEqual({ value: true, reason: "ERROR", errorCode: "PROVIDER_NOT_READY" });

    await switchyard.initialize({ targetingKey: "user-42" });
    const source = FakeEventSource.latest();
    await switchyard.onClose();
    expect(source.closed).toBe(true);
    expect(switchyard.switchyardClient).toBeUndefined();
  });
});
