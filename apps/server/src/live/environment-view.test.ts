import type { FlagDefinition, Segment } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { buildView, patchView } from "./environment-view";

const flag = (key: string, enabled: boolean, segments: string[] = []): FlagDefinition => ({
  key,
  version: 1,
  enabled,
  variations: [true, false],
  offVariation: 1,
  fallthrough: { variation: 0 },
  rules: segments.length === 0 ? [] : [{ id: `r-${key}`, conditions: [], segments, serve: { variation: 0 } }],
});
const segment = (key: string): Segment => ({ key, included: [`user-${key}`], excluded: [], rules: [], version: 1 });

describe("an environment's view", () => {
  it("serves after a patch exactly what a view built from scratch serves: sorted flags, used segments, the same payload", () => {
    const segments = [segment("beta"), segment("staff")];
    const before = buildView("production", 5, "0123456789ab", [flag("b", false), flag("a", true, ["beta"])], segments);
    const patched = patchView(before, 6, {
      flagKeys: new Set(["b", "c"]),
      flags: [flag("b", true, ["staff"]), flag("c", false)],
      segmentKeys: new Set(),
      segments: [],
    });
    const rebuilt = buildView(
      "production",
      6,
      "0123456789ab",
      [flag("c", false), flag("b", true, ["staff"]), flag("a", true, ["beta"])],
      segments,
    );
    expect(patched.flags.map((f) => f.key)).toEqual(["a", "b", "c"]);
    expect([...patched.usedSegmentKeys].sort()).toEqual(["beta", "staff"]);
    expect(JSON.parse(patched.sdkBody)).toEqual(JSON.parse(rebuilt.sdkBody));
    expect(patched.sdkBody).toBe(rebuilt.sdkBody);
    // The view it was patched from still serves what it served.
    expect(JSON.parse(before.sdkBody).flags.map((f: FlagDefinition) => [f.key, f.enabled])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(patched.engine.evaluate("b", { key: "user-staff" }).value).toBe(true);
  });
});
