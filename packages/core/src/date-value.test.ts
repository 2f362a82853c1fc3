import { describe, expect, it } from "vitest";
import { parseDateValue, parseIsoDate } from "./date-value";

describe("parseIsoDate", () => {
  it.each([
    ["2024-01-01", Date.UTC(2024, 0, 1)],
    ["2024-02-29T12:30:00Z", Date.UTC(2024, 1, 29, 12, 30)],
    ["2024-01-01T00:00:00.1Z", Date.UTC(2024, 0, 1, 0, 0, 0, 100)],
    ["2024-01-01T00:00:00.123456789Z", Date.UTC(2024, 0, 1, 0, 0, 0, 123)],
    ["2024-01-01T02:00:00+02:00", Date.UTC(2024, 0, 1)],
    ["2024-01-01T02:00:00+0200", Date.UTC(2024, 0, 1)],
    ["2023-12-31T19:00:00-05", Date.UTC(2024, 0, 1)],
    ["2024-01-01 10:00", Date.UTC(2024, 0, 1, 10)],
    ["0099-06-01", Date.parse("0099-06-01T00:00:00Z")], // not 1999: Date.UTC maps years 0–99,
  ])("%s", (text, expected) => {
    expect(parseIsoDate(text)).toBe(expected);
  });

  it.each([
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-01-32",
    "2024-01-01T24:00",
    "2024-01-01T10:60",
    "2024-1-1",
    "Jan 1 2024",
    "2024-01-01T10:00:00+25:00",
    "",
  ])("rejects %j", (text) => {
    expect(parseIsoDate(text)).toBeUndefined();
  });
});

describe("parseDateValue", () => {
  it("takes finite epoch milliseconds and ISO strings only", () => {
    expect(parseDateValue(0)).toBe(0);
    expect(parseDateValue(-1.5)).toBe(-1.5);
    expect(parseDateValue(Number.NaN)).toBeUndefined();
    expect(parseDateValue(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDateValue(true)).toBeUndefined();
    expect(parseDateValue("1704067200000")).toBeUndefined();
  });
});
