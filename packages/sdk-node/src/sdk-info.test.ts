import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { SDK_NAME, SDK_VERSION } from "./sdk-info";

describe("SDK identity", () => {
  it("reports the package's version", () => {
    expect(SDK_VERSION).toBe(packageJson.version);
    expect(SDK_NAME).toBe(`switchyard-node/${packageJson.version}`);
  });
});
