import { OpenFeature as ServerOpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { ClientProviderEvents, OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { SwitchyardWebProvider } from "@switchyard/sdk-browser/openfeature";
import { SwitchyardProvider } from "@switchyard/sdk-node/openfeature";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenFeatureServer, type OpenFeatureServer } from "./support/openfeature-fixture";
import type { ServerProcess } from "./support/server-process";

const ROLLOUT_MESSAGE = 'the rollout buckets by "key", which the context lacks (or is not a string or integer)';

const quietLogger = { warn: () => {}, error: () => {} };

/**
 * Our own OpenFeature providers against the real server process, through the same scenarios as
 * the published OFREP providers (openfeature.test.ts): the Node provider evaluates locally from
 * the server-token snapshot, the web provider serves what `/api/client/evaluate` and the stream
 * computed for its context.
 */
describe("our own providers pass the same scenarios", () => {
  let server: ServerProcess;
  let fixture: OpenFeatureServer;
  let serverToken: string;
  let clientToken: string;

  beforeAll(async () => {
    fixture = await startOpenFeatureServer("of");
    ({ server, serverToken, clientToken } = fixture);
  });
  afterAll(async () => {
    await Promise.all([ServerOpenFeature.close(), WebOpenFeature.close()]);
    await fixture?.stop();
  });

  /** Toggles dark-mode off, runs `check`, and always turns it back on. */
  async function withDarkModeOff(check: () => Promise<void>) {
    await fixture.api("PATCH", "/api/flags/dark-mode/environments/production", { enabled: false });
    try {
      await check();
    } finally {
      await fixture.api("PATCH", "/api/flags/dark-mode/environments/production", { enabled: true });
    }
  }

  describe("@openfeature/server-sdk with SwitchyardProvider", () => {
    beforeAll(async () => {
      await ServerOpenFeature.setProviderAndWait(
        "switchyard",
        new SwitchyardProvider({ url: server.url, token: serverToken, sendMetrics: false, logger: quietLogger }),
      );
    });
    afterAll(async () => {
      await ServerOpenFeature.close();
    });
    const flags = () => ServerOpenFeature.getClient("switchyard");

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
      // Rules exist but none matched: DEFAULT (STATIC is for flags without rules).
      expect(await flags().getStringDetails("banner-text", "?", { targetingKey: "user-2", plan: "free" })).toEqual({
        flagKey: "banner-text",
        value: "Hello",
        reason: "DEFAULT",
        variant: "hello",
        flagMetadata: {},
      });
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
      });
      expect(await flags().getStringDetails("dark-mode", "x", { targetingKey: "user-1" })).toMatchObject({
        value: "x",
        reason: "ERROR",
        errorCode: "TYPE_MISMATCH",
      });
      expect(await flags().getBooleanDetails("new-search", true, { plan: "pro" })).toMatchObject({
        value: true,
        reason: "ERROR",
        errorCode: "TARGETING_KEY_MISSING",
        errorMessage: ROLLOUT_MESSAGE,
      });
    });

    it("sees a toggle made through the admin API", async () => {
      const changed = new Promise<string[]>((resolve) =>
        flags().addHandler(ProviderEvents.ConfigurationChanged, (event) => resolve(event?.flagsChanged ?? [])),
      );
      await withDarkModeOff(async () => {
        expect(await changed).toContain("dark-mode");
        expect(await flags().getBooleanDetails("dark-mode", true, { targetingKey: "user-1" })).toEqual({
          flagKey: "dark-mode",
          value: false,
          reason: "DISABLED",
          variant: "off",
          flagMetadata: {},
        });
      });
      await expect.poll(() => flags().getBooleanValue("dark-mode", false, { targetingKey: "user-1" }), { timeout: 5_000 }).toBe(true);
    });
  });

  describe("@openfeature/web-sdk with SwitchyardWebProvider", () => {
    // No localStorage and no global EventSource in Node: the cache is off, eventsource v4 streams.
    const webProvider = () =>
      new SwitchyardWebProvider({ url: server.url, token: clientToken, storage: null, EventSource, visibility: null });
    afterAll(async () => {
      await WebOpenFeature.close();
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
      expect(flags.getStringDetails("banner-text", "?")).toEqual({
        flagKey: "banner-text",
        value: "Hello",
        reason: "DEFAULT",
        variant: "hello",
        flagMetadata: {},
      });
    });

    it("reports FLAG_NOT_FOUND, TYPE_MISMATCH and TARGETING_KEY_MISSING with the default value", async () => {
      await WebOpenFeature.setProviderAndWait("web-anonymous", webProvider(), { plan: "pro" });
      const flags = WebOpenFeature.getClient("web-anonymous");
      expect(flags.getBooleanDetails("no-such-flag", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
      expect(flags.getStringDetails("dark-mode", "x")).toMatchObject({ value: "x", reason: "ERROR", errorCode: "TYPE_MISMATCH" });
      expect(flags.getBooleanDetails("new-search", true)).toMatchObject({
        value: true,
        reason: "ERROR",
        errorCode: "TARGETING_KEY_MISSING",
      });
      expect(flags.getStringValue("banner-text", "?")).toBe("Welcome back");
    });

    it("sees a toggle made through the admin API over the stream", async () => {
      await WebOpenFeature.setProviderAndWait("web-stream", webProvider(), { targetingKey: "user-3" });
      const flags = WebOpenFeature.getClient("web-stream");
      expect(flags.getBooleanValue("dark-mode", false)).toBe(true);

      const changed = new Promise<string[]>((resolve) =>
        flags.addHandler(ClientProviderEvents.ConfigurationChanged, (event) => resolve(event?.flagsChanged ?? [])),
      );
      await withDarkModeOff(async () => {
        expect(await changed).toEqual(["dark-mode"]);
        expect(flags.getBooleanDetails("dark-mode", true)).toEqual({
          flagKey: "dark-mode",
          value: false,
          reason: "DISABLED",
          variant: "off",
          flagMetadata: {},
        });
      });
      await expect.poll(() => flags.getBooleanValue("dark-mode", false), { timeout: 5_000 }).toBe(true);
    });
  });
});
