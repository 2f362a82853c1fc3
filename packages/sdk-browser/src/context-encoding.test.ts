import { describe, expect, it } from "vitest";
import { encodeContext } from "./context-encoding";

describe("encodeContext", () => {
  it.each([
    { key: "user-42" },
    { key: "ünïcødé 🚀", plan: "pro", tags: ["a", "b"], nested: { n: 1.5 } },
    { key: "???>>>~~~" }, // bytes that need "+" and "/" in plain base64
    {},
  ])("is unpadded base64url of the JSON that the server's base64url decoder reads back: %j", (context) => {
    const encoded = encodeContext(context);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
    expect(JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"))).toEqual(context);
  });
});
