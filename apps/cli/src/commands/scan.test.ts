import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopRepoKnownKeys, shopRepoReferences, writeShopRepo } from "../../test/shop-repo";
import { captureIo, fakeServer } from "../fake-server";
import { run } from "../run";

const TOKEN = "sy_admin_cli_test_token_000000";

describe("switchyard scan", () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "switchyard-scan-"));
    writeShopRepo(repo);
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  const server = () =>
    fakeServer({
      "GET /api/flags?archived=true": () => ({ body: { flags: shopRepoKnownKeys.map((key) => ({ key })) } }),
      "POST /api/code-refs": (body) => ({
        body: { repository: "acme/shop", branch: "main", refCount: 9, flags: 7, unknownFlags: ["checkout-layout"], body },
      }),
    });

  it("uploads every reference — path, line and the trimmed matched line only — and none from comments or ignored files", async () => {
    const fake = server();
    const { io, output } = captureIo(fake.fetch, repo, { SWITCHYARD_TOKEN: TOKEN, SWITCHYARD_URL: "http://switchyard.test:4242/" });
    expect(await run(["scan"], io)).toBe(0);
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.authorization}`)).toEqual([
      `GET /api/flags?archived=true Bearer ${TOKEN}`,
      `POST /api/code-refs Bearer ${TOKEN}`,
    ]);
    const upload = fake.requests[1]?.body as {
      repository: string;
      branch: string;
      refs: Array<{ flag: string; path: string; line: number; text: string }>;
    };
    expect(upload.repository).toBe("acme/shop");
    expect(upload.branch).toBe("main");
    expect(upload.refs.map((r) => `${r.path}:${r.line} ${r.flag}`)).toEqual(shopRepoReferences);
    expect(upload.refs.find((r) => r.path === "src/checkout.ts" && r.line === 4)).toEqual({
      flag: "new-checkout",
      path: "src/checkout.ts",
      line: 4,
      text: 'if (flags.isEnabled("new-checkout", user)) {',
    });
    expect(output.out).toBe("Uploaded 9 references to 7 flags from 8 files for acme/shop@main\n");
    expect(output.err).toBe("These keys in code name no flag (a typo, or not created yet):\n  checkout-layout  src/checkout.ts:8\n");
  });

  it("prints what it found on --dry-run and uploads nothing", async () => {
    const fake = server();
    const { io, output } = captureIo(fake.fetch, repo, { SWITCHYARD_TOKEN: TOKEN });
    expect(await run(["scan", ".", "--dry-run", "--branch", "feature/x", "--repository", "acme/web"], io)).toBe(0);
    expect(fake.requests.map((r) => r.method)).toEqual(["GET"]);
    expect(output.out.split("\n")[0]).toMatch(/^config\/flags\.yaml:2 +maintenance-mode +kill: "maintenance-mode"$/);
    expect(output.out.trimEnd().split("\n").at(-1)).toBe(
      "Found 9 references to 7 flags in 8 files of acme/web@feature/x (dry run: nothing uploaded)",
    );
  });

  it("finds SDK calls without a token on a dry run, and exact key matches only with one", async () => {
    const fake = server();
    const { io, output } = captureIo(fake.fetch, repo);
    expect(await run(["scan", repo, "--dry-run", "--json"], io)).toBe(0);
    expect(fake.requests).toEqual([]);
    const result = JSON.parse(output.out) as { refs: Array<{ path: string; line: number; flag: string; via: string }> };
    expect(result.refs.map((r) => `${r.path}:${r.line} ${r.flag}`)).toEqual(
      shopRepoReferences.filter((r) => !r.endsWith("maintenance-mode")),
    );
    expect(new Set(result.refs.map((r) => r.via))).toEqual(new Set(["sdk-call"]));
    expect(output.err).toContain("No token");
  });

  it("skips the comment prefixes it is told to, and none with an empty list", async () => {
    const { io, output } = captureIo(server().fetch, repo, { SWITCHYARD_TOKEN: TOKEN });
    expect(await run(["scan", "--dry-run", "--json", "--comment-prefixes", ""], io)).toBe(0);
    const flags = (JSON.parse(output.out) as { refs: Array<{ flag: string }> }).refs.map((r) => r.flag);
    expect(flags).toEqual(expect.arrayContaining(["old-checkout", "commented-python", "jsdoc-example", "html-comment", "sql-comment"]));
    // The marker still hides its line; ignored, vendored and binary files stay unread.
    expect(flags).not.toEqual(expect.arrayContaining(["legacy-search"]));
    for (const hidden of ["legacy-search", "generated-flag", "bundled-flag", "log-flag", "nested-log-flag", "vendored", "binary-flag"])
      expect(flags).not.toContain(hidden);
  });

  it("names paths from the repository's top folder when scanning a subfolder, with the .gitignore files above it", async () => {
    const { io, output } = captureIo(server().fetch, join(repo, "src"), { SWITCHYARD_TOKEN: TOKEN });
    expect(await run(["scan", "legacy", "--dry-run", "--json"], io)).toBe(0);
    expect(
      (JSON.parse(output.out) as { refs: Array<{ path: string; line: number; flag: string }> }).refs.map(
        (r) => `${r.path}:${r.line} ${r.flag}`,
      ),
    ).toEqual(["src/legacy/kept.ts:1 old-banner"]);
    const whole = captureIo(server().fetch, repo, { SWITCHYARD_TOKEN: TOKEN });
    expect(await run(["scan", "src", "--dry-run", "--json", "--comment-prefixes", ""], whole.io)).toBe(0);
    const flags = (JSON.parse(whole.output.out) as { refs: Array<{ flag: string }> }).refs.map((r) => r.flag);
    expect(flags).not.toContain("nested-log-flag");
    expect(flags).toContain("search-ranking");
  });

  it("needs a branch when HEAD is detached, and a token to upload", async () => {
    const detached = mkdtempSync(join(tmpdir(), "switchyard-scan-detached-"));
    try {
      writeShopRepo(detached);
      writeFileSync(join(detached, ".git/HEAD"), "4b825dc642cb6eb9a060e54bf8d69288fbee4904\n");
      const { io, output } = captureIo(server().fetch, detached, { SWITCHYARD_TOKEN: TOKEN });
      expect(await run(["scan"], io)).toBe(1);
      expect(output.err).toBe("switchyard: Cannot tell the branch (no .git folder, or HEAD is detached): pass --branch\n");
      const noToken = captureIo(server().fetch, detached);
      expect(await run(["scan", "--branch", "main"], noToken.io)).toBe(1);
      expect(noToken.output.err).toBe("switchyard: No API token: pass --token or set SWITCHYARD_TOKEN (an admin token)\n");
    } finally {
      rmSync(detached, { recursive: true, force: true });
    }
  });

  it("refuses options of other commands and a missing folder", async () => {
    const { io, output } = captureIo(server().fetch, repo, { SWITCHYARD_TOKEN: TOKEN });
    expect(await run(["scan", "--fail-on", "NOT_IN_CODE"], io)).toBe(1);
    expect(output.err).toBe("switchyard: --fail-on is not an option of scan\n");
    expect(await run(["scan", "no/such/folder", "--dry-run"], io)).toBe(1);
    expect(output.err).toContain("Not a folder: no/such/folder");
  });
});
