import { FLAG_KEY_PATTERN } from "@switchyard/core/schema";
import { describe, expect, it } from "vitest";
import { DEFAULT_COMMENT_PREFIXES, FLAG_KEY, findReferences, MAX_TEXT_LENGTH } from "./find-references";

const find = (source: string, knownKeys: string[] = [], commentPrefixes = DEFAULT_COMMENT_PREFIXES) =>
  findReferences(source, { knownKeys: new Set(knownKeys), commentPrefixes }).map((r) => `${r.line} ${r.flag} ${r.via}`);

describe("findReferences", () => {
  it("uses the server's flag key pattern", () => {
    expect(`^${FLAG_KEY}$`).toBe(FLAG_KEY_PATTERN.source);
  });

  it("finds the key of every SDK and OpenFeature call, in any quotes", () => {
    const source = [
      'flags.isEnabled("a-flag", ctx)',
      "flags.variation( 'b.flag' , ctx, 0)",
      "flags.variationDetail(`c_flag`, ctx, false)",
      'client.getBooleanValue("d", false); client.getStringDetails("e", "")',
      'client.getNumberValue("f", 0); client.getObjectDetails("g", {}); client.getIntegerValue("h", 1)',
      'client.get_boolean_value("i", False)',
      'flags.is_enabled("j")',
    ].join("\n");
    expect(find(source)).toEqual([
      "1 a-flag sdk-call",
      "2 b.flag sdk-call",
      "3 c_flag sdk-call",
      "4 d sdk-call",
      "4 e sdk-call",
      "5 f sdk-call",
      "5 g sdk-call",
      "5 h sdk-call",
      "6 i sdk-call",
      "7 j sdk-call",
    ]);
  });

  it("ignores calls whose key is not a literal flag key", () => {
    expect(
      find(
        [
          "flags.isEnabled(key, ctx)",
          "flags.isEnabled(`${prefix}-x`)",
          'flags.isEnabled("Not A Key")',
          'myvariation("x")',
          'isEnabledFor("y")',
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("finds exact string literals of known keys only, once per line", () => {
    expect(
      find(
        ['const keys = ["new-checkout", "other"];', 'label = "new-checkout page"', 'isEnabled("new-checkout") || "new-checkout"'].join(
          "\n",
        ),
        ["new-checkout"],
      ),
    ).toEqual(["1 new-checkout known-key", "3 new-checkout sdk-call"]);
  });

  it("skips comment lines by prefix, and lines with the ignore marker", () => {
    const source = [
      '  // isEnabled("a")',
      '# isEnabled("b")',
      ' * isEnabled("c")',
      '/* isEnabled("d") */',
      '<!-- isEnabled("e") -->',
      '-- isEnabled("f")',
      'isEnabled("g") // switchyard-scan:ignore',
      'isEnabled("h") // a trailing comment still counts',
    ].join("\n");
    expect(find(source)).toEqual(["8 h sdk-call"]);
    expect(find(source, [], ["#"])).toEqual([
      "1 a sdk-call",
      "3 c sdk-call",
      "4 d sdk-call",
      "5 e sdk-call",
      "6 f sdk-call",
      "8 h sdk-call",
    ]);
  });

  it("keeps only the matched line, trimmed and cut to its limit", () => {
    const long = `    isEnabled("x") && ${"y".repeat(300)}😀`;
    const [ref] = findReferences(long, { knownKeys: new Set(), commentPrefixes: [] });
    expect(ref?.text.startsWith('isEnabled("x")')).toBe(true);
    expect(Array.from(ref?.text ?? "")).toHaveLength(MAX_TEXT_LENGTH);
    expect(ref?.text.endsWith("…")).toBe(true);
  });
});
