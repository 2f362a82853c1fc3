import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature as ServerOpenFeature } from "@openfeature/server-sdk";
import { ClientProviderEvents, OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenFeatureServer, type OpenFeatureServer } from "./support/openfeature-fixture";
import type { ServerProcess } from "./support/server-process";

/**
 * The published, unmodified OpenFeature OFREP providers against the real server process: the
 * server provider asks `/ofrep/v1/evaluate/flags/:key` per evaluation, the web provider caches
 * `/ofrep/v1/evaluate/flags` per context and polls it with If-None-Match.
 */
describe("the OpenFeature OFREP providers against the server", () => {
  let server: ServerProcess;
  let fixture: OpenFeatureServer;
  let serverToken: string;
  let clientToken: string;

  beforeAll(async () => {
    fixture = await startOpenFeatureServer("ofrep");
    ({ server, serverToken, clientToken } = fixture);
  });
  afterAll(async () => {
    await Promise.all([ServerOpenFeature.close(), WebOpenFeature.close()]);
    await fixture?.stop();
  });

  describe("@openfeature/server-sdk with @openfeature/ofrep-provider", () => {
    beforeAll(async () => {
      await ServerOpenFeature.setProviderAndWait(
        "ofrep",
        new OFREPProvider({ baseUrl: server.url, headers: [["Authorization", `Bearer ${serverToken}`]] }),
      );
    });
    const flags = () => ServerOpenFeature.getClient("ofrep");

    it("evaluates boolean, string, number and object flags", async () => {
      const user = { targetingKey: "user-1", plan: "pro" };
      expect(await flags().getBooleanDetails("dark-mode", false, user)).toEqual({
        flagKey: "dark-mode",
        value: true,
        reason: "STATIC",
        variant: "on",
        flagMetadata: {},
      });
      expect(await flags().getStringDetails("banner-text", "?", user)).toEqual({
        flagKey: "banner-text",
        value: "Welcome back",
        reason: "TARGETING_MATCH",
        variant: "welcome-back",
        flagMetadata: { ruleId: "pro" },
      });
      expect(await flags().getStringValue("banner-text", "?", { targetingKey: "user-2", plan: "free" })).toBe("Hello");
      expect(await flags().getNumberDetails("page-size", 0, user)).toEqual({
        flagKey: "page-size",
        value: 25,
        reason: "STATIC",
        variant: "large",
        flagMetadata: { owner: "search", ticket: 42 },
      });
      expect(await flags().getObjectDetails("theme", {}, user)).toEqual({
        flagKey: "theme",
        value: { color: "blue" },
        reason: "STATIC",
        variant: "v1",
        flagMetadata: {},
      });
      const split = await flags().getBooleanDetails("new-search", false, { targetingKey: "user-42" });
      expect(split).toMatchObject({ reason: "SPLIT", value: split.variant === "on" });
    });

    it("reports FLAG_NOT_FOUND, TYPE_MISMATCH and TARGETING_KEY_MISSING with the default value", async () => {
      expect(await flags().getBooleanDetails("no-such-flag", true, { targetingKey: "user-1" })).toMatchObject({
        value: true,
        reason: "ERROR",
        errorCode: "FLAG_NOT_FOUND",
        errorMessage: "Flag 'no-such-flag' does not exist in 'production'",
      });
      expect(await flags().getNumberDetails("dark-mode", 7, { targetingKey: "user-1" })).toMatchObject({
        value: 7,
        reason: "ERROR",
        errorCode: "TYPE_MISMATCH",
      });
      expect(await flags().getBooleanDetails("new-search", true, { plan: "pro" })).toMatchObject({
        value: true,
        reason: "ERROR",
        errorCode: "TARGETING_KEY_MISSING",
        errorMessage: 'the rollout buckets by "key", which the context lacks (or is not a string or integer)',
      });
    });

    it("serves the default value when the token is refused", async () => {
      await ServerOpenFeature.setProviderAndWait(
        "ofrep-bad-token",
        new OFREPProvider({ baseUrl: server.url, headers: [["Authorization", "Bearer sy_server_not-a-real-token"]] }),
      );
      expect(
        await ServerOpenFeature.getClient("ofrep-bad-token").getBooleanDetails("dark-mode", false, { targetingKey: "user-1" }),
      ).toMatchObject({ value: false, reason: "ERROR", errorCode: "GENERAL" });
    });
  });

  describe("@openfeature/web-sdk with @openfeature/ofrep-web-provider", () => {
    const statuses: number[] = [];
    // Records what the provider's fetches get back, so the test can see its 304s.
    const recordingFetch = async (input: Request | string | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      return res;
    };
    const webProvider = (options: { pollInterval?: number } = {}) =>
      // No localStorage in Node: the persistent cache is off. Node 20 has no EventSource either.
      new OFREPWebProvider({
        baseUrl: server.url,
        headers: [["Authorization", `Bearer ${clientToken}`]],
        cacheMode: "disabled",
        fetchImplementation: recordingFetch,
        ...options,
      });

    it("evaluates boolean, string, number and object flags for the context, and re-evaluates on a context change", async () => {
      await WebOpenFeature.setProviderAndWait("web", webProvider(), { targetingKey: "user-1", plan: "pro" });
      const flags = WebOpenFeature.getClient("web");
      expect(flags.getBooleanDetails("dark-mode", false)).toEqual({
        flagKey: "dark-mode",
        value: true,
        reason: "STATIC",
        variant: "on",
        flagMetadata: {},
      });
      // A client token never sees rule ids.
      expect(flags.getStringDetails("banner-text", "?")).toEqual({
        flagKey: "banner-text",
        value: "Welcome back",
        reason: "TARGETING_MATCH",
        variant: "welcome-back",
        flagMetadata: {},
      });
      expect(flags.getNumberDetails("page-size", 0)).toEqual({
        flagKey: "page-size",
        value: 25,
        reason: "STATIC",
        variant: "large",
        flagMetadata: { owner: "search", ticket: 42 },
      });
      expect(flags.getObjectDetails("theme", {})).toEqual({
        flagKey: "theme",
        value: { color: "blue" },
        reason: "STATIC",
        variant: "v1",
        flagMetadata: {},
      });

      await WebOpenFeature.setContext("web", { targetingKey: "user-2", plan: "free" });
      expect(flags.getStringValue("banner-text", "?")).toBe("Hello");
    });

    it("reports FLAG_NOT_FOUND, TYPE_MISMATCH and TARGETING_KEY_MISSING with the default value", async () => {
      await WebOpenFeature.setProviderAndWait("web-anonymous", webProvider(), { plan: "pro" });
      const flags = WebOpenFeature.getClient("web-anonymous");
      expect(flags.getBooleanDetails("no-such-flag", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
      expect(flags.getNumberDetails("dark-mode", 7)).toMatchObject({ value: 7, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
      // The bulk answer carries the rollout's failure as that flag's entry; the other flags are served.
      // A client token is told what the code says, not which attribute the rollout buckets by.
      expect(flags.getBooleanDetails("new-search", true)).toMatchObject({
        value: true,
        reason: "ERROR",
        errorCode: "TARGETING_KEY_MISSING",
        errorMessage: "Flag 'new-search' needs a targeting key or attribute this context lacks",
      });
      expect(flags.getStringValue("banner-text", "?")).toBe("Welcome back");
    });

    it("polls with If-None-Match: 304 while nothing changes, the new value after a toggle", async () => {
      await WebOpenFeature.setProviderAndWait("web-polling", webProvider({ pollInterval: 100 }), { targetingKey: "user-3" });
      const flags = WebOpenFeature.getClient("web-polling");
      expect(flags.getBooleanValue("dark-mode", false)).toBe(true);

      statuses.length = 0;
      await expect.poll(() => statuses.filter((s) => s === 304).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
      expect(statuses.every((s) => s === 304)).toBe(true);

      const changed = new Promise<string[]>((resolve) =>
        flags.addHandler(ClientProviderEvents.ConfigurationChanged, (event) => resolve(event?.flagsChanged ?? [])),
      );
      await fixture.api("PATCH", "/api/flags/dark-mode/environments/production", { enabled: false });
      try {
        expect(await changed).toEqual(["dark-mode"]);
        expect(statuses).toContain(200);
        expect(flags.getBooleanDetails("dark-mode", true)).toEqual({
          flagKey: "dark-mode",
          value: false,
          reason: "DISABLED",
          variant: "off",
          flagMetadata: {},
        });
      } finally {
        await fixture.api("PATCH", "/api/flags/dark-mode/environments/production", { enabled: true });
      }
    });
  });
});
