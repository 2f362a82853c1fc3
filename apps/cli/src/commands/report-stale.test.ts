import { describe, expect, it } from "vitest";
import { captureIo, fakeServer } from "../fake-server";
import { run } from "../run";

const report = {
  generatedAt: "2026-03-02T00:00:00.000Z",
  thresholds: { notEvaluatedDays: 14, fullyRolledOutDays: 7, disabledDays: 30 },
  coverage: { flags: 12, environments: ["production"], reportingEnvironments: ["production"], codeRefUploads: [] },
  environment: null,
  flags: [
    {
      flag: "new-checkout",
      archived: false,
      reasons: [
        {
          code: "FULLY_ROLLED_OUT",
          since: "2026-01-04T00:00:00.000Z",
          summary: "Serves `true` to everyone in production since 2026-01-04",
          facts: {},
          suggestion: "Replace with `true` and remove the flag",
        },
      ],
    },
    {
      flag: "old-banner",
      archived: true,
      reasons: [
        {
          code: "ARCHIVED_BUT_IN_CODE",
          since: "2026-01-21T00:00:00.000Z",
          summary: "Archived 2026-01-21 but still referenced 1 time: src/banner.tsx:7",
          facts: {},
          suggestion: "Remove these references",
        },
      ],
    },
  ],
};

const server = () =>
  fakeServer({
    "GET /api/reports/stale": (_body, url) =>
      url.searchParams.get("format") === "markdown" ? { text: "### Stale flags: 2 of 12 flags\n" } : { body: report },
  });
const env = { SWITCHYARD_TOKEN: "sy_admin_cli_test_token_000000", SWITCHYARD_URL: "http://switchyard.test" };

describe("switchyard report stale", () => {
  it("prints a table for people, with the suggested action under each reason", async () => {
    const { io, output } = captureIo(server().fetch, "/", env);
    expect(await run(["report", "stale"], io)).toBe(0);
    expect(output.out).toBe(
      [
        "FLAG                   REASON                SINCE       EVIDENCE",
        "new-checkout           FULLY_ROLLED_OUT      2026-01-04  Serves `true` to everyone in production since 2026-01-04",
        "                                                         → Replace with `true` and remove the flag",
        "old-banner (archived)  ARCHIVED_BUT_IN_CODE  2026-01-21  Archived 2026-01-21 but still referenced 1 time: src/banner.tsx:7",
        "                                                         → Remove these references",
        "",
        "2 of 12 flags are stale.",
        "",
      ].join("\n"),
    );
  });

  it("passes the environment and thresholds as the query, and prints the server's Markdown", async () => {
    const fake = server();
    const { io, output } = captureIo(fake.fetch, "/", env);
    expect(
      await run(
        [
          "report",
          "stale",
          "--env",
          "production",
          "--format",
          "markdown",
          "--disabled-days",
          "60",
          "--repository",
          "acme/shop",
          "--branch",
          "fix/x",
        ],
        io,
      ),
    ).toBe(0);
    expect(fake.requests.map((r) => r.path)).toEqual([
      "/api/reports/stale?environment=production&repository=acme%2Fshop&branch=fix%2Fx&disabledDays=60&format=json",
      "/api/reports/stale?environment=production&repository=acme%2Fshop&branch=fix%2Fx&disabledDays=60&format=markdown",
    ]);
    expect(output.out).toBe("### Stale flags: 2 of 12 flags\n");
  });

  it("exits 6 when a --fail-on reason appears, and 0 when none does", async () => {
    const failing = captureIo(server().fetch, "/", env);
    expect(await run(["report", "stale", "--json", "--fail-on", "ARCHIVED_BUT_IN_CODE,NOT_IN_CODE"], failing.io)).toBe(6);
    expect(JSON.parse(failing.output.out)).toEqual(report);
    expect(failing.output.err).toBe("Failing (--fail-on NOT_IN_CODE,ARCHIVED_BUT_IN_CODE): old-banner ARCHIVED_BUT_IN_CODE\n");
    const passing = captureIo(server().fetch, "/", env);
    expect(await run(["report", "stale", "--fail-on", "not_in_code"], passing.io)).toBe(0);
  });

  it("exits 1 on a usage error, an unreachable server, or an error answer", async () => {
    const usage = captureIo(server().fetch, "/", env);
    expect(await run(["report", "stale", "--format", "html"], usage.io)).toBe(1);
    expect(usage.output.err).toBe("switchyard: --format must be table or markdown (or use --json), not 'html'\n");
    expect(await run(["report", "stale", "--bogus"], usage.io)).toBe(1);
    expect(await run(["report"], usage.io)).toBe(1);

    const refused = fakeServer({
      "GET /api/reports/stale": () => ({
        status: 403,
        body: { error: { code: "FORBIDDEN", message: "This endpoint needs an admin token" } },
      }),
    });
    const forbidden = captureIo(refused.fetch, "/", env);
    expect(await run(["report", "stale"], forbidden.io)).toBe(1);
    expect(forbidden.output.err).toBe(
      "switchyard: Switchyard answered GET /api/reports/stale?format=json with 403: FORBIDDEN: This endpoint needs an admin token\n",
    );

    const down: typeof fetch = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
    };
    const unreachable = captureIo(down, "/", { ...env, SWITCHYARD_URL: "http://127.0.0.1:1" });
    expect(await run(["report", "stale"], unreachable.io)).toBe(1);
    expect(unreachable.output.err).toBe("switchyard: Cannot reach Switchyard at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n");
  });
});
