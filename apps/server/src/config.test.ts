import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";

describe("settings", () => {
  it("refuses an admin token shorter than 32 characters, naming the setting", () => {
    expect(parseConfig({ SWITCHYARD_ADMIN_TOKEN: "x".repeat(31) })).toEqual({
      ok: false,
      problems: ["SWITCHYARD_ADMIN_TOKEN: must be at least 32 characters"],
    });
    expect(parseConfig({ SWITCHYARD_ADMIN_TOKEN: "x".repeat(32) })).toMatchObject({ ok: true, config: { adminToken: "x".repeat(32) } });
  });
});
