import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { captureIo, fakeServer } from "../fake-server";
import { run } from "../run";

const env = { SWITCHYARD_TOKEN: "sy_admin_cli_test_token_000000", SWITCHYARD_URL: "http://switchyard.test" };
const config = { enabled: true, rules: [], fallthrough: { rollout: { weights: [50_000, 50_000] } } };
const preview = {
  flag: "new-checkout",
  environment: "production",
  change: "put",
  currentVersion: 2,
  contexts: { seen: 600, requested: 0, evaluations: 1_800, sampling: true },
  before: [
    { variation: 0, value: true, contexts: 60, evaluations: 180 },
    { variation: 1, value: false, contexts: 540, evaluations: 1_620 },
  ],
  after: [
    { variation: 0, value: true, contexts: 300, evaluations: 900 },
    { variation: 1, value: false, contexts: 300, evaluations: 900 },
  ],
  flips: { contexts: 240, evaluations: 720, share: 0.4 },
  examples: [
    {
      context: { key: "user-7", plan: "free" },
      weight: 3,
      before: { value: false, variation: 1, reason: "SPLIT" },
      after: { value: true, variation: 0, reason: "TARGETING_MATCH", ruleId: "beta" },
    },
  ],
  dependents: [{ flag: "payments", flips: { contexts: 24, evaluations: 72, share: 0.04 } }],
  rollouts: [{ serve: "fallthrough", before: [10_000, 90_000], after: [50_000, 50_000], flipShare: 0.4444, exact: true }],
  unsampledAttributes: ["country"],
};

describe("switchyard flags preview", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const folderWith = (name: string, content: string) => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-cli-preview-"));
    dirs.push(dir);
    writeFileSync(join(dir, name), content);
    return dir;
  };

  it("posts the config file and prints whom it flips, the exact rollout share and the deciding rules", async () => {
    const fake = fakeServer({ "POST /api/flags/new-checkout/environments/production/preview": () => ({ body: preview }) });
    const { io, output } = captureIo(fake.fetch, folderWith("config.json", JSON.stringify(config)), env);
    expect(await run(["flags", "preview", "new-checkout", "--env", "production", "--file", "config.json"], io)).toBe(0);
    expect(fake.requests).toEqual([
      {
        method: "POST",
        path: "/api/flags/new-checkout/environments/production/preview",
        authorization: `Bearer ${env.SWITCHYARD_TOKEN}`,
        body: config,
      },
    ]);
    expect(output.out).toBe(
      [
        "Preview of new-checkout in production (put against version 2):",
        "  over 600 seen contexts, 1800 evaluations",
        "  flips: 240 contexts, 720 evaluations (40.0 %)",
        "  before: true 10.0 %, false 90.0 %",
        "  after:  true 50.0 %, false 50.0 %",
        "  fallthrough: 44.4 % of the contexts it decides flip (exact, for every context)",
        "  flips, heaviest first:",
        "    user-7 (plan=free) ×3: false by fallthrough → true by rule beta",
        "  dependent payments: 24 contexts flip (4.0 %)",
        '  not in the sample yet: country (no rule read them until now; pass contexts that have them in the file\'s "contexts")',
        "",
      ].join("\n"),
    );
  });

  it("previews a restore, prints the answer as JSON with --json", async () => {
    const fake = fakeServer({ "POST /api/flags/new-checkout/environments/production/preview": () => ({ body: preview }) });
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(await run(["flags", "preview", "new-checkout", "--env", "production", "--restore", "1", "--json"], io)).toBe(0);
    expect(fake.requests[0]?.body).toEqual({ restoreVersion: 1 });
    expect(JSON.parse(output.out)).toEqual(preview);
  });

  it("needs --env and exactly one of --file and --restore, and exits 1 on the server's refusal", async () => {
    const { io, output } = captureIo(fakeServer({}).fetch, "/", env);
    expect(await run(["flags", "preview", "new-checkout", "--env", "production"], io)).toBe(1);
    expect(await run(["flags", "preview", "new-checkout", "--restore", "1"], io)).toBe(1);
    expect(output.err).toContain("exactly one of --file <config.json> and --restore <version>");
    expect(output.err).toContain("needs --env");

    const refusing = fakeServer({
      "POST /api/flags/new-checkout/environments/production/preview": () => ({
        status: 400,
        body: { error: { code: "VALIDATION_FAILED", message: "Invalid preview request: fallthrough.variation: no such variation" } },
      }),
    });
    const refused = captureIo(refusing.fetch, "/", env);
    expect(await run(["flags", "preview", "new-checkout", "--env", "production", "--restore", "9"], refused.io)).toBe(1);
    expect(refused.output.err).toContain("400: VALIDATION_FAILED: Invalid preview request");
  });
});
