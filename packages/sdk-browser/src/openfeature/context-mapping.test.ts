import { normalizeContext } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { toSwitchyardContext } from "./context-mapping";

describe("toSwitchyardContext", () => {
  it.each([
    [
      { targetingKey: "user-42", plan: "pro" },
      { targetingKey: "user-42", plan: "pro", key: "user-42" },
    ],
    [
      { targetingKey: "user-42", key: "explicit" },
      { targetingKey: "user-42", key: "explicit" },
    ],
    [{ plan: "free" }, { plan: "free" }],
    [undefined, {}],
  ])("maps %j to %j, as normalizeContext of @switchyard/core does", (input, expected) => {
    expect(toSwitchyardContext(input)).toEqual(expected);
    expect(normalizeContext(input ?? {})).toEqual(expected);
  });
});
