import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sizeOfBrowserBundle } from "../scripts/bundle-size";

const budget: unknown = JSON.parse(readFileSync(new URL("../size-budget.json", import.meta.url), "utf8"));

describe("the browser bundle", () => {
  it("stays within the committed gzip budget (size-budget.json)", async () => {
    expect(budget).toEqual({ maxGzipBytes: expect.any(Number) });
    const maxGzipBytes = typeof budget === "object" && budget !== null && "maxGzipBytes" in budget ? budget.maxGzipBytes : 0;
    const size = await sizeOfBrowserBundle();
    expect(size.minBytes).toBeGreaterThan(size.gzipBytes);
    expect(size.gzipBytes).toBeLessThanOrEqual(Number(maxGzipBytes));
  });
});
