import { describe, expect, it } from "vitest";
import { at, codesAt, flag, history, noTelemetry, on, reasonAt, reportAt, type World } from "./stale-report-fixtures";
import type { EvaluationTelemetry } from "./stale-report";

describe("NOT_EVALUATED", () => {
  // production's SDKs report from day 0 to day 60 (other flags keep them busy); `new-search` was
  // last counted in the bucket of day 1, 00:00–01:00.
  const telemetry = (): EvaluationTelemetry => ({
    environments: [{ environment: "production", firstBucketAt: at(0), lastBucketAt: at(60) }],
    flags: [{ flag: "new-search", environment: "production", lastBucketAt: at(1) }],
  });
  const world = (evaluations = telemetry(), fields = {}): World => ({
    flags: [flag("new-search", { permanent: true, ...fields })],
    configHistory: history("new-search", [[0, "production", on({ rollout: { weights: [50_000, 50_000] } })]]),
    evaluations,
  });

  it("appears 14 days after the end of the last bucket that counted the flag, with the evidence", () => {
    expect(codesAt(world(), at(15, 1))).toEqual({});
    expect(codesAt(world(), new Date(at(15, 1).getTime() + 1))).toEqual({ "new-search": ["NOT_EVALUATED"] });
    expect(reasonAt(world(), at(16), "new-search", "NOT_EVALUATED")).toEqual({
      code: "NOT_EVALUATED",
      since: "2026-01-02T01:00:00.000Z",
      summary: "No evaluation in production for 14 days (last 2026-01-02), though SDKs there report",
      facts: {
        days: 14,
        environments: [{ environment: "production", lastEvaluatedAt: "2026-01-02T01:00:00.000Z" }],
        unobservedEnvironments: ["development", "staging"],
        telemetrySince: "2026-01-01T00:00:00.000Z",
      },
      suggestion: "Nothing reads it: check that the code behind it is gone, then archive the flag",
    });
  });

  it("disappears when the flag is evaluated again", () => {
    const again = world({ ...telemetry(), flags: [{ flag: "new-search", environment: "production", lastBucketAt: at(20) }] });
    expect(codesAt(again, at(20, 2))).toEqual({});
    expect(codesAt(again, at(34, 2))).toEqual({ "new-search": ["NOT_EVALUATED"] });
  });

  it("is claimed for a flag never evaluated, once it is older than the period", () => {
    const never: EvaluationTelemetry = { environments: telemetry().environments, flags: [] };
    expect(codesAt(world(never, { createdAt: at(5) }), at(18))).toEqual({});
    const reason = reasonAt(world(never, { createdAt: at(5) }), at(19), "new-search", "NOT_EVALUATED");
    expect(reason?.since).toBeUndefined();
    expect(reason?.summary).toBe("Never evaluated in production as far back as telemetry goes (2026-01-01), though SDKs there report");
  });

  it("is never claimed where no SDK reported: silence there proves nothing", () => {
    expect(codesAt(world(noTelemetry), at(100))).toEqual({});
    const elsewhere: EvaluationTelemetry = {
      environments: [{ environment: "staging", firstBucketAt: at(0), lastBucketAt: at(100) }],
      flags: [],
    };
    const stagingOnly: World = {
      ...world(elsewhere),
      configHistory: history("new-search", [[0, "production", on({ rollout: { weights: [50_000, 50_000] } })]], ["production"]),
    };
    expect(codesAt(stagingOnly, at(100))).toEqual({});
  });

  it("needs telemetry from the whole period: SDKs that started reporting recently prove nothing yet", () => {
    const recent: EvaluationTelemetry = {
      environments: [{ environment: "production", firstBucketAt: at(10), lastBucketAt: at(30) }],
      flags: [],
    };
    expect(codesAt(world(recent), at(23, 23))).toEqual({});
    expect(codesAt(world(recent), at(24))).toEqual({ "new-search": ["NOT_EVALUATED"] });
  });

  it("needs reports within the period: SDKs that stopped reporting prove nothing", () => {
    const stopped: EvaluationTelemetry = {
      environments: [{ environment: "production", firstBucketAt: at(0), lastBucketAt: at(2) }],
      flags: [],
    };
    expect(codesAt(world(stopped), at(16, 1))).toEqual({ "new-search": ["NOT_EVALUATED"] });
    expect(codesAt(world(stopped), at(16, 2))).toEqual({});
  });

  it("is not claimed when an environment without full telemetry did evaluate it", () => {
    const stagingToo: EvaluationTelemetry = {
      environments: [...telemetry().environments, { environment: "staging", firstBucketAt: at(25), lastBucketAt: at(30) }],
      flags: [...telemetry().flags, { flag: "new-search", environment: "staging", lastBucketAt: at(30) }],
    };
    expect(codesAt(world(stagingToo), at(30, 5))).toEqual({});
  });

  it("takes its threshold from the report's thresholds", () => {
    const thresholds = { notEvaluatedDays: 3, fullyRolledOutDays: 7, disabledDays: 30, notRehearsedDays: 30 };
    expect(codesAt(world(), at(4, 1), thresholds)).toEqual({});
    expect(codesAt(world(), at(4, 2), thresholds)).toEqual({ "new-search": ["NOT_EVALUATED"] });
  });
});

describe("PAST_EXPECTED_LIFETIME", () => {
  const world = (fields = {}): World => ({
    flags: [flag("checkout", fields)],
    configHistory: history("checkout", [[0, "production", on({ rollout: { weights: [10_000, 90_000] } })]]),
  });

  it("appears when a release flag turns 40 days old", () => {
    expect(codesAt(world(), new Date(at(40).getTime() - 1))).toEqual({});
    expect(reasonAt(world(), at(52), "checkout", "PAST_EXPECTED_LIFETIME")).toEqual({
      code: "PAST_EXPECTED_LIFETIME",
      since: "2026-02-10T00:00:00.000Z",
      summary: "52 days old; a release flag is expected to live 40 days",
      facts: { kind: "release", createdAt: "2026-01-01T00:00:00.000Z", ageDays: 52, expectedLifetimeDays: 40, lifetimeFrom: "kind" },
      suggestion:
        'Finish the rollout and remove it, or mark it permanent (PATCH /api/flags/checkout {"permanent": true}) if it is meant to stay',
    });
  });

  it("follows the kind, a flag's own lifetime, and never reports a permanent flag", () => {
    expect(codesAt(world({ kind: "operational" }), at(7))).toEqual({ checkout: ["PAST_EXPECTED_LIFETIME"] });
    expect(codesAt(world({ kind: "operational" }), at(6, 23))).toEqual({});
    expect(codesAt(world({ kind: "kill-switch" }), at(1000))).toEqual({ checkout: ["KILL_SWITCH_NOT_REHEARSED"] });
    expect(codesAt(world({ kind: "permission" }), at(1000))).toEqual({});
    expect(codesAt(world({ expectedLifetimeDays: 90 }), at(89))).toEqual({});
    expect(reasonAt(world({ expectedLifetimeDays: 3 }), at(3), "checkout", "PAST_EXPECTED_LIFETIME")?.summary).toBe(
      "3 days old; its own expected lifetime is 3 days",
    );
    expect(codesAt(world({ permanent: true }), at(1000))).toEqual({});
  });
});

describe("NOT_IN_CODE and ARCHIVED_BUT_IN_CODE", () => {
  const refs = (...flags: string[]) =>
    flags.map((f, i) => ({ flag: f, repository: "acme/shop", branch: "main", path: `src/file-${i}.ts`, line: 10 + i }));
  const world = (codeRefs: World["codeRefs"]): World => ({
    flags: [
      flag("in-code", { permanent: true }),
      flag("gone", { permanent: true }),
      flag("archived-used", { permanent: true, archivedAt: at(3) }),
      flag("archived-clean", { permanent: true, archivedAt: at(3) }),
    ],
    configHistory: ["in-code", "gone", "archived-used", "archived-clean"].flatMap((k) =>
      history(k, [
        [
          0,
          "production",
          on({ variation: 0 }, [
            { id: "r", conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variation: 1 } },
          ]),
        ],
      ]),
    ),
    codeRefs,
  });

  it("claims nothing from code before any upload", () => {
    expect(codesAt(world(undefined), at(5))).toEqual({});
  });

  it("reports live flags no scanned code names, and archived flags code still names", () => {
    const uploaded = world({
      uploads: [{ repository: "acme/shop", branch: "main", uploadedAt: at(4) }],
      refs: refs("in-code", "archived-used", "archived-used"),
    });
    expect(codesAt(uploaded, at(5))).toEqual({ "archived-used": ["ARCHIVED_BUT_IN_CODE"], gone: ["NOT_IN_CODE"] });
    expect(reasonAt(uploaded, at(5), "gone", "NOT_IN_CODE")).toEqual({
      code: "NOT_IN_CODE",
      summary: "No reference in acme/shop@main",
      facts: { repositories: [{ repository: "acme/shop", branch: "main", uploadedAt: "2026-01-05T00:00:00.000Z" }] },
      suggestion: "Safe to archive: DELETE /api/flags/gone",
    });
    expect(reasonAt(uploaded, at(5), "archived-used", "ARCHIVED_BUT_IN_CODE")).toEqual({
      code: "ARCHIVED_BUT_IN_CODE",
      since: "2026-01-04T00:00:00.000Z",
      summary: "Archived 2026-01-04 but still referenced 2 times: src/file-1.ts:11, src/file-2.ts:12",
      facts: {
        archivedAt: "2026-01-04T00:00:00.000Z",
        referenceCount: 2,
        references: [
          { repository: "acme/shop", branch: "main", path: "src/file-1.ts", line: 11 },
          { repository: "acme/shop", branch: "main", path: "src/file-2.ts", line: 12 },
        ],
      },
      suggestion:
        'SDKs serve the code\'s default for an archived flag: remove these references, or unarchive it (PATCH /api/flags/archived-used {"archived": false})',
    });
  });

  it("stops reporting once the code changes: a new upload with the reference removed", () => {
    const cleaned = world({ uploads: [{ repository: "acme/shop", branch: "main", uploadedAt: at(6) }], refs: refs("in-code", "gone") });
    expect(codesAt(cleaned, at(7))).toEqual({});
  });

  it("gives archived flags no other reason (they are gone for SDKs already)", () => {
    const report = reportAt(
      world({ uploads: [{ repository: "acme/shop", branch: "main", uploadedAt: at(4) }], refs: refs("archived-used") }),
      at(400),
    );
    expect(report.flags.find((e) => e.flag === "archived-used")).toMatchObject({
      archived: true,
      reasons: [{ code: "ARCHIVED_BUT_IN_CODE" }],
    });
  });
});

describe("the whole report", () => {
  it("says what its evidence covers and lists flags by key", () => {
    const report = reportAt(
      {
        flags: [flag("b-flag"), flag("a-flag")],
        configHistory: [...history("a-flag", []), ...history("b-flag", [])],
        evaluations: { environments: [{ environment: "production", firstBucketAt: at(0), lastBucketAt: at(0) }], flags: [] },
      },
      at(41),
    );
    expect(report.generatedAt).toBe("2026-02-11T00:00:00.000Z");
    expect(report.coverage).toEqual({
      flags: 2,
      environments: ["development", "production", "staging"],
      reportingEnvironments: ["production"],
      codeRefUploads: [],
    });
    expect(report.flags.map((e) => [e.flag, e.reasons.map((r) => r.code)])).toEqual([
      ["a-flag", ["PAST_EXPECTED_LIFETIME", "DISABLED_EVERYWHERE"]],
      ["b-flag", ["PAST_EXPECTED_LIFETIME", "DISABLED_EVERYWHERE"]],
    ]);
  });
});
