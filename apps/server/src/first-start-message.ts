import type { Logger } from "pino";
import type { FirstStartReport } from "./services/first-start";

/** The first start's message: printed once, to the terminal, since the token is stored only as a hash. */
export function printFirstStart(report: FirstStartReport, url: string, logger: Logger): void {
  if (report.adminTokenIgnored)
    logger.warn("SWITCHYARD_ADMIN_TOKEN is ignored: admin tokens already exist (it is only used at first start)");
  if (report.generatedAdminToken === undefined) return;
  process.stdout.write(
    [
      "",
      `  Switchyard is running on ${url}${report.seededDemo ? " with demo flags." : "."}`,
      "",
      "  Admin token (shown once; keep it, or set SWITCHYARD_ADMIN_TOKEN before the first start):",
      `    ${report.generatedAdminToken}`,
      "",
      "  Try:",
      `    curl -H "Authorization: Bearer ${report.generatedAdminToken}" ${url}/api/flags`,
      "",
    ].join("\n") + "\n",
  );
}
