import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * A small repository for `switchyard scan` tests, written to a folder at test time (a committed
 * fixture could not hold ignored files: git would leave them out). Every reference it holds is
 * in `shopRepoReferences`; every other key in it sits in a comment, an ignored or binary file, or
 * is not a flag.
 */
export const shopRepoFiles: Record<string, string | Uint8Array> = {
  ".git/HEAD": "ref: refs/heads/main\n",
  ".git/config":
    '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
  ".gitignore": "dist/\n*.log\n",
  "src/checkout.ts": [
    'import { flags } from "./flags";',
    "",
    "export function checkout(user: { key: string }) {",
    '  if (flags.isEnabled("new-checkout", user)) {',
    '    return "one-page";',
    "  }",
    '  // flags.isEnabled("old-checkout", user) was removed',
    "  return flags.variation('checkout-layout', user, \"classic\");",
    "}",
    "",
  ].join("\n"),
  "src/search.py": [
    '# variation("commented-python")',
    'ranking = client.get_string_value("search-ranking", "classic", ctx)',
    'legacy = flags.is_enabled("legacy-search")  # switchyard-scan:ignore',
    "",
  ].join("\n"),
  "src/openfeature.ts": [
    "/**",
    ' * getBooleanValue("jsdoc-example", false)',
    " */",
    'const dark = await client.getBooleanValue("dark-mode", false);',
    "const theme = await client.getObjectDetails(`theme`, {});",
    'const keys = ["maintenance-mode", "not-a-flag"];',
    "",
  ].join("\n"),
  "src/legacy/.gitignore": "generated.ts\n",
  "src/legacy/generated.ts": 'flags.isEnabled("generated-flag");\n',
  "src/legacy/kept.ts": 'export const banner = (ctx: object) => flags.variationDetail("old-banner", ctx, false);\n',
  "dist/bundle.js": 'flags.isEnabled("new-checkout");flags.isEnabled("bundled-flag");\n',
  "debug.log": 'isEnabled("log-flag")\n',
  "src/trace.log": 'isEnabled("nested-log-flag")\n',
  "node_modules/sdk/index.js": 'isEnabled("vendored")\n',
  "assets/logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, ...new TextEncoder().encode('isEnabled("binary-flag")')]),
  "docs/usage.md": ['<!-- isEnabled("html-comment") -->', 'Call `flags.isEnabled("new-checkout")` to check.', ""].join("\n"),
  "config/flags.yaml": ['# kill: "new-checkout"', 'kill: "maintenance-mode"', '-- isEnabled("sql-comment")', ""].join("\n"),
};

/** The keys the fake or real server knows (old-banner is archived). */
export const shopRepoKnownKeys = [
  "new-checkout",
  "checkout-layout",
  "search-ranking",
  "dark-mode",
  "theme",
  "maintenance-mode",
  "old-banner",
];

/** Every reference a scan must find, as `path:line flag`, in scan order. */
export const shopRepoReferences = [
  "config/flags.yaml:2 maintenance-mode",
  "docs/usage.md:2 new-checkout",
  "src/checkout.ts:4 new-checkout",
  "src/checkout.ts:8 checkout-layout",
  "src/legacy/kept.ts:1 old-banner",
  "src/openfeature.ts:4 dark-mode",
  "src/openfeature.ts:5 theme",
  "src/openfeature.ts:6 maintenance-mode",
  "src/search.py:2 search-ranking",
];

export function writeShopRepo(root: string): void {
  for (const [path, content] of Object.entries(shopRepoFiles)) {
    const file = join(root, ...path.split("/"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}
