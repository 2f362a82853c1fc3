import type { Logger } from "pino";
import type { FirstStartReport } from "./services/first-start";

/** The first start's message: printed once, to the terminal, since the token is stored only as a hash. */
export function printFirstStart(report: FirstStartReport, url: string, logger: Logger, embeddedDataDir?: string): void {
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
      `  Console: ${url}/ (sign in with the admin token)`,
      "",
      "  Try:",
      `    curl -H "Authorization: Bearer ${report.generatedAdminToken}" ${url}/api/flags`,
      "",
      ...(embeddedDataDir === undefined ? [] : [`  ${EMBEDDED_DATABASE_NOTE(embeddedDataDir)}`, ""]),
    ].join("\n") + "\n",
  );
}

/** Said at every embedded start (a warning in the log) and in the first start's message. */
export const EMBEDDED_DATABASE_NOTE = (dataDir: string): string =>
  `The embedded database (${dataDir}) is for trying Switchyard and for development: it does not fsync, so a crash ` +
  "or power loss can lose recent writes. Use PostgreSQL (DATABASE_URL) in production.";
