import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { ClientProviderEvents, OpenFeature } from "@openfeature/web-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenFeatureServer, type OpenFeatureServer } from "./support/openfeature-fixture";

/**
 * The stock `@openfeature/ofrep-web-provider` with change notification: the bulk answer
 * advertises `eventStreams`, the provider opens the stream with the global EventSource (a
 * browser's; here the `eventsource` package, since Node 20 has none), refetches on each
 * `refetchEvaluation` and emits ConfigurationChanged — without polling.
 */
describe("the stock OFREP web provider follows Switchyard's event stream", () => {
  let fixture: OpenFeatureServer;
  const requests: Array<{ url: string; status: number }> = [];
  const globals = globalThis as { EventSource?: unknown };
  const previousEventSource = globals.EventSource;

  beforeAll(async () => {
    globals.EventSource = EventSource;
    fixture = await startOpenFeatureServer("ofrep-events");
  });
  afterAll(async () => {
    await OpenFeature.close();
    await fixture?.stop();
    globals.EventSource = previousEventSource;
  });

  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    requests.push({ url: input instanceof Request ? input.url : String(input), status: res.status });
    return res;
  };

  it("sees a toggle as ConfigurationChanged with the new value, and asks again only when told", async () => {
    const provider = new OFREPWebProvider({
      baseUrl: fixture.server.url,
      headers: [["Authorization", `Bearer ${fixture.clientToken}`]],
      cacheMode: "disabled",
      fetchImplementation: recordingFetch,
    });
    await OpenFeature.setProviderAndWait("events", provider, { targetingKey: "user-1" });
    const flags = OpenFeature.getClient("events");
    expect(flags.getBooleanValue("dark-mode", false)).toBe(true);
    // The refetch the stream asks for on connect finds nothing new: a 304, and no event.
    await expect.poll(() => requests.map((r) => r.status), { timeout: 10_000 }).toEqual([200, 304]);

    const changed = new Promise<string[]>((resolve) =>
      flags.addHandler(ClientProviderEvents.ConfigurationChanged, (event) => resolve(event?.flagsChanged ?? [])),
    );
    await fixture.api("PATCH", "/api/flags/dark-mode/environments/production", { enabled: false });
    try {
      expect(await changed).toEqual(["dark-mode"]);
      expect(flags.getBooleanDetails("dark-mode", true)).toMatchObject({ value: false, reason: "DISABLED" });
      // One refetch per change, sent back with the change it was told of.
      expect(requests.map((r) => r.status)).toEqual([200, 304, 200]);
      expect(requests[2]?.url).toMatch(/\/ofrep\/v1\/evaluate\/flags\?flagConfigEtag=.+-\d+$/);
    } finally {
      await fixture.api("PATCH", "/api/flags/dark-mode/environments/production", { enabled: true });
    }
    await expect.poll(() => flags.getBooleanValue("dark-mode", false), { timeout: 10_000 }).toBe(true);
  });
});
