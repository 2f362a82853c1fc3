import { createApiClient, isRecord } from "../api-client";
import { formatTable, type CliIo } from "../cli-io";
import { CliError, ExitCodes, type ExitCode } from "../exit-codes";

/** The server's reason codes (GET /api/reports/stale). */
export const StaleReasonCodes = [
  "NOT_EVALUATED",
  "FULLY_ROLLED_OUT",
  "PAST_EXPECTED_LIFETIME",
  "DISABLED_EVERYWHERE",
  "NOT_IN_CODE",
  "ARCHIVED_BUT_IN_CODE",
  "KILL_SWITCH_NOT_REHEARSED",
] as const;
export type StaleReasonCode = (typeof StaleReasonCodes)[number];

export const ReportFormats = ["table", "markdown"] as const;
export type ReportFormat = (typeof ReportFormats)[number];

export interface ReportStaleOptions {
  environment: string | undefined;
  repository: string | undefined;
  branch: string | undefined;
  format: ReportFormat;
  failOn: readonly StaleReasonCode[];
  thresholds: {
    notEvaluatedDays?: string | undefined;
    fullyRolledOutDays?: string | undefined;
    disabledDays?: string | undefined;
    notRehearsedDays?: string | undefined;
  };
  json: boolean;
  url: string;
  token: string | undefined;
}

interface Reason {
  code: string;
  since?: string;
  summary: string;
  suggestion: string;
}
interface Entry {
  flag: string;
  archived: boolean;
  reasons: Reason[];
}

export function parseFailOn(value: string | undefined): StaleReasonCode[] {
  if (value === undefined) return [];
  const codes = value
    .split(",")
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== "");
  const unknown = codes.filter((c) => !(StaleReasonCodes as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new CliError(`--fail-on: unknown reason ${unknown.join(", ")}; the reasons are ${StaleReasonCodes.join(", ")}`);
  return StaleReasonCodes.filter((c) => codes.includes(c));
}

export async function reportStaleCommand(io: CliIo, options: ReportStaleOptions): Promise<ExitCode> {
  const api = createApiClient({ url: options.url, token: options.token, fetch: io.fetch });
  const query = new URLSearchParams();
  if (options.environment !== undefined) query.set("environment", options.environment);
  if (options.repository !== undefined) query.set("repository", options.repository);
  if (options.branch !== undefined) query.set("branch", options.branch);
  for (const [name, value] of Object.entries(options.thresholds)) if (value !== undefined) query.set(name, value);
  const path = (format: string) => `/api/reports/stale?${new URLSearchParams([...query, ["format", format]]).toString()}`;

  const report = await api.getJson(path("json"));
  const entries = parseEntries(report);
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  // Markdown comes from the server, so a pull-request comment reads the same from the API and the CLI.
  else if (options.format === "markdown") io.out(await api.getText(path("markdown")));
  else io.out(renderTable(entries, report));

  const failing = entries.flatMap((e) =>
    e.reasons.filter((r) => options.failOn.some((code) => code === r.code)).map((r) => `${e.flag} ${r.code}`),
  );
  if (failing.length === 0) return ExitCodes.ok;
  io.err(`Failing (--fail-on ${options.failOn.join(",")}): ${failing.join("; ")}\n`);
  return ExitCodes.staleFlagsFound;
}

function parseEntries(report: unknown): Entry[] {
  if (!isRecord(report) || !Array.isArray(report.flags)) throw new CliError("Switchyard answered the stale report with an unexpected body");
  return report.flags.flatMap((e): Entry[] => {
    if (!isRecord(e) || typeof e.flag !== "string" || !Array.isArray(e.reasons)) return [];
    const reasons = e.reasons.flatMap((r): Reason[] =>
      isRecord(r) && typeof r.code === "string" && typeof r.summary === "string" && typeof r.suggestion === "string"
        ? [{ code: r.code, summary: r.summary, suggestion: r.suggestion, ...(typeof r.since === "string" ? { since: r.since } : {}) }]
        : [],
    );
    return [{ flag: e.flag, archived: e.archived === true, reasons }];
  });
}

/** For people at a terminal: one row per reason, the suggested action under it. */
function renderTable(entries: readonly Entry[], report: unknown): string {
  const total =
    isRecord(report) && isRecord(report.coverage) && typeof report.coverage.flags === "number" ? report.coverage.flags : undefined;
  const of = total === undefined ? "" : ` of ${total}`;
  if (entries.length === 0) return `No stale flags${of === "" ? "" : ` (checked ${total})`}.\n`;
  const rows: string[][] = [["FLAG", "REASON", "SINCE", "EVIDENCE"]];
  for (const entry of entries) {
    for (const reason of entry.reasons) {
      rows.push([`${entry.flag}${entry.archived ? " (archived)" : ""}`, reason.code, reason.since?.slice(0, 10) ?? "-", reason.summary]);
      rows.push(["", "", "", `→ ${reason.suggestion}`]);
    }
  }
  return `${formatTable(rows)}\n\n${entries.length}${of} flags are stale.\n`;
}
