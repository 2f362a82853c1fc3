import { OpenFeature } from "@openfeature/server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { booleanFlag, snapshot } from "../testing/fixtures";
import { type Harness, harness } from "../testing/harness";
import { toSwitchyardContext } from "./context-mapping";
import { SwitchyardProvider } from "./switchyard-provider";

describe("toSwitchyardContext", () => {
  it("keeps targetingKey and gives it as key; an explicit key wins", () => {
    expect(toSwitchyardContext({ targetingKey: "ann", plan: "pro" })).toStrictEqual({ targetingKey: "ann", key: "ann", plan: "pro" });
    expect(toSwitchyardContext({ targetingKey: "ann", key: "bob" })).toStrictEqual({ targetingKey: "ann", key: "bob" });
  });

  it("turns dates at any depth into ISO strings", () => {
    const at = new Date("2026-06-01T00:00:00Z");
    expect(toSwitchyardContext({ signup: at, user: { since: at, logins: [at] } })).toStrictEqual({
      signup: "2026-06-01T00:00:00.000Z",
      user: { since: "2026-06-01T00:00:00.000Z", logins: ["2026-06-01T00:00:00.000Z"] },
    });
  });
});

const rules = (attribute: string) => [
  { id: "ann", conditions: [{ attribute, operator: "in" as const, values: ["ann"] }], serve: { variation: 0 } },
];
const initial = snapshot(1, [
  { ...booleanFlag("on-targeting-key", true), rules: rules("targetingKey"), fallthrough: { variation: 1 } },
  { ...booleanFlag("on-key", true), rules: rules("key"), fallthrough: { variation: 1 } },
  { ...booleanFlag("on-nested", true), rules: rules("user.name"), fallthrough: { variation: 1 } },
]);

describe("SwitchyardProvider contexts", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: initial });
  });
  afterEach(async () => {
    await OpenFeature.clearProviders();
    await h.cleanup();
  });

  it("matches a rule on targetingKey or on key, and reads nested attributes", async () => {
    await OpenFeature.setProviderAndWait("context-mapping", new SwitchyardProvider(h.client()));
    const client = OpenFeature.getClient("context-mapping");
    for (const flag of ["on-targeting-key", "on-key"]) {
      expect(await client.getBooleanValue(flag, false, { targetingKey: "ann" }), flag).toBe(true);
      expect(await client.getBooleanValue(flag, false, { key: "ann" }), flag).toBe(true);
      expect(await client.getBooleanValue(flag, true, { targetingKey: "bob" }), flag).toBe(false);
    }
    expect(await client.getBooleanValue("on-nested", false, { targetingKey: "x", user: { name: "ann" } })).toBe(true);
  });
});
