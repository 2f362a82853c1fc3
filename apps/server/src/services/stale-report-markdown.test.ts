import { describe, expect, it } from "vitest";
import { staleReportMarkdown } from "./stale-report-markdown";
import { defaultStaleThresholds, staleReport } from "./stale-report";
import { at, flag, history, noCodeRefs, noRehearsals, noTelemetry, on, reportAt, rule } from "./stale-report-fixtures";

describe("staleReportMarkdown", () => {
  it("renders one table row per reason, with the evidence and the action, for a pull-request comment", () => {
    const report = reportAt(
      {
        flags: [
          flag("new-checkout", { owner: "payments" }),
          flag("search-ranking", { kind: "experiment", variations: ["classic", "a|b"], permanent: true }),
          flag("old-banner", { archivedAt: at(20) }),
          flag("kill-payments", { kind: "kill-switch" }),
        ],
        configHistory: [
          ...history("new-checkout", [[3, "production", on({ variation: 0 })]]),
          ...history("search-ranking", [[50, "production", on({ variation: 1 }, [], 0)]]),
          ...history("old-banner", []),
          ...history("kill-payments", [[1, "production", on({ variation: 1 }, [rule("ops", { variation: 0 })])]]),
        ],
        evaluations: {
          environments: [{ environment: "production", firstBucketAt: at(0), lastBucketAt: at(59) }],
          flags: [
            { flag: "new-checkout", environment: "production", lastBucketAt: at(59) },
            { flag: "search-ranking", environment: "production", lastBucketAt: at(59) },
          ],
        },
        codeRefs: {
          uploads: [{ repository: "acme/shop", branch: "main", uploadedAt: at(59) }],
          refs: [
            { flag: "new-checkout", repository: "acme/shop", branch: "main", path: "src/checkout.ts", line: 12 },
            { flag: "search-ranking", repository: "acme/shop", branch: "main", path: "src/search.ts", line: 40 },
            { flag: "old-banner", repository: "acme/shop", branch: "main", path: "src/banner.tsx", line: 7 },
          ],
        },
      },
      at(60),
    );
    expect(staleReportMarkdown(report)).toBe(
      [
        "### Stale flags: 4 of 4 flags",
        "",
        "| Flag | Reason | Since | Evidence | Suggested action |",
        "|---|---|---|---|---|",
        "| `kill-payments` | NOT_EVALUATED | — | Never evaluated in production as far back as telemetry goes (2026-01-01), though SDKs there report | Nothing reads it: check that the code behind it is gone, then archive the flag |",
        "| `kill-payments` | NOT_IN_CODE | — | No reference in acme/shop@main | Safe to archive: DELETE /api/flags/kill-payments |",
        "| `kill-payments` | KILL_SWITCH_NOT_REHEARSED | 2026-01-01 | A kill switch whose rollback was never rehearsed | Rehearse turning it off where SDKs run: switchyard rehearse --env staging --flag kill-payments |",
        "| `new-checkout` | FULLY_ROLLED_OUT | 2026-01-04 | Serves `true` to everyone in production (off in development, staging) since 2026-01-04 | Replace with `true` and remove the flag |",
        '| `new-checkout` | PAST_EXPECTED_LIFETIME | 2026-02-10 | 60 days old; a release flag is expected to live 40 days | Finish the rollout and remove it, or mark it permanent (PATCH /api/flags/new-checkout {"permanent": true}) if it is meant to stay |',
        '| `old-banner` (archived) | ARCHIVED_BUT_IN_CODE | 2026-01-21 | Archived 2026-01-21 but still referenced 1 time: src/banner.tsx:7 | SDKs serve the code\'s default for an archived flag: remove these references, or unarchive it (PATCH /api/flags/old-banner {"archived": false}) |',
        '| `search-ranking` | FULLY_ROLLED_OUT | 2026-02-20 | Serves `"a\\|b"` to everyone in production (off in development, staging) since 2026-02-20 | Replace with `"a\\|b"` and remove the flag |',
        "",
        "<sub>Switchyard, 2026-03-02T00:00:00.000Z · not evaluated 14 d, fully rolled out 7 d, disabled 30 d, not rehearsed 30 d · SDK telemetry from production · code references from acme/shop@main</sub>",
        "",
      ].join("\n"),
    );
  });

  it("says plainly when nothing is stale and what was looked at", () => {
    const report = reportAt(
      {
        flags: [flag("fresh")],
        configHistory: history("fresh", [[0, "production", on({ variation: 0 }, [rule("pro", { variation: 1 })])]]),
      },
      at(1),
    );
    expect(staleReportMarkdown(report)).toBe(
      [
        "### Stale flags: none of 1 flags",
        "",
        "<sub>Switchyard, 2026-01-02T00:00:00.000Z · not evaluated 14 d, fully rolled out 7 d, disabled 30 d, not rehearsed 30 d · no SDK telemetry yet · no code references uploaded (`switchyard scan`)</sub>",
        "",
      ].join("\n"),
    );
  });

  it("names the environment when the report covers one", () => {
    const report = staleReport({
      now: at(1),
      environment: "production",
      thresholds: defaultStaleThresholds,
      flags: [flag("fresh")],
      configHistory: history("fresh", [], ["production"]),
      evaluations: noTelemetry,
      codeRefs: noCodeRefs,
      rehearsals: noRehearsals,
    });
    expect(staleReportMarkdown(report).split("\n")[0]).toBe("### Stale flags in production: none of 1 flags");
  });
});
