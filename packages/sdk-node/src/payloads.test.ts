import { describe, expect, it } from "vitest";
import { parseEvent, parseSnapshot } from "./payloads";
import { booleanFlag, segment } from "./testing/fixtures";

describe("payload parsing", () => {
  it("reads the protocol's events", () => {
    const flag = booleanFlag("on", true);
    expect(parseEvent("patch", JSON.stringify({ version: 4, flag }))).toStrictEqual({
      ok: true,
      value: { kind: "patch-flag", version: 4, flag },
    });
    expect(parseEvent("patch", JSON.stringify({ version: 4, segment: segment("s", ["a"]) }))).toMatchObject({
      ok: true,
      value: { kind: "patch-segment" },
    });
    expect(parseEvent("delete", '{"version":5,"flag":"on"}')).toStrictEqual({
      ok: true,
      value: { kind: "delete-flag", version: 5, key: "on" },
    });
    expect(parseEvent("delete", '{"version":5,"segment":"s"}')).toStrictEqual({
      ok: true,
      value: { kind: "delete-segment", version: 5, key: "s" },
    });
  });

  it.each([
    ["put", "{", "the put event is not JSON"],
    ["put", '{"version":1,"flags":[],"segments":{}}', "segments is not an array"],
    ["put", '{"version":-1,"flags":[],"segments":[]}', "version is not a non-negative integer"],
    ["put", '{"version":1,"flags":[{"key":"x"}],"segments":[]}', 'flag "x": version is not a non-negative integer'],
    ["patch", '{"flag":{}}', "the patch event has no version"],
    [
      "patch",
      '{"version":2,"flag":{"key":"x","version":1,"variations":[true],"enabled":"yes"}}',
      'patch: flag "x": enabled is not a boolean',
    ],
    ["delete", '{"version":2}', "the delete event names no flag or segment"],
    ["upsert", '{"version":2}', 'unknown event type "upsert"'],
  ])("rejects %s %s", (type, data, problem) => {
    expect(parseEvent(type, data)).toStrictEqual({ ok: false, problem });
  });

  it("reads a flags body without environment as an empty environment", () => {
    expect(parseSnapshot({ version: 0, flags: [], segments: [] })).toStrictEqual({
      ok: true,
      value: { environment: "", version: 0, flags: [], segments: [] },
    });
  });
});
