import type { StaleReport } from "./stale-report";

/** A table fit for a pull-request comment: one row per reason, the facts and the action in words. */
export function staleReportMarkdown(report: StaleReport): string {
  const { coverage, thresholds } = report;
  const where = report.environment === null ? "" : ` in ${report.environment}`;
  const title =
    report.flags.length === 0
      ? `### Stale flags${where}: none of ${coverage.flags} flags`
      : `### Stale flags${where}: ${report.flags.length} of ${coverage.flags} flags`;
  const lines = [title, ""];
  if (report.flags.length > 0) {
    lines.push("| Flag | Reason | Since | Evidence | Suggested action |", "|---|---|---|---|---|");
    for (const entry of report.flags) {
      const flag = `\`${entry.flag}\`${entry.archived ? " (archived)" : ""}`;
      for (const reason of entry.reasons) {
        lines.push(
          `| ${[flag, reason.code, reason.since?.slice(0, 10) ?? "—", reason.summary, reason.suggestion].map(cell).join(" | ")} |`,
        );
      }
    }
    lines.push("");
  }
  const sources = [
    `not evaluated ${thresholds.notEvaluatedDays} d, fully rolled out ${thresholds.fullyRolledOutDays} d, disabled ${thresholds.disabledDays} d, not rehearsed ${thresholds.notRehearsedDays} d`,
    coverage.reportingEnvironments.length === 0
      ? "no SDK telemetry yet"
      : `SDK telemetry from ${coverage.reportingEnvironments.join(", ")}`,
    coverage.codeRefUploads.length === 0
      ? "no code references uploaded (`switchyard scan`)"
      : `code references from ${coverage.codeRefUploads.map((u) => `${u.repository}@${u.branch}`).join(", ")}`,
  ];
  lines.push(`<sub>Switchyard, ${report.generatedAt} · ${sources.join(" · ")}</sub>`, "");
  return lines.join("\n");
}

/** Pipes would end the cell and newlines the row. */
const cell = (text: string) =>
  text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ");
