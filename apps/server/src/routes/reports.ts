import { Hono } from "hono";
import { z } from "zod";
import { validationFailed, type Issue } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readQuery } from "../http/validation";
import { defaultStaleThresholds, staleReport } from "../services/stale-report";
import { loadStaleReportInput } from "../services/stale-report-input";
import { staleReportMarkdown } from "../services/stale-report-markdown";
import { listCodeRefUploads } from "../store/code-refs";
import { getEnvironment } from "../store/environments";
import type { RouteDeps } from "./route-deps";

// Whole days only: an empty or fractional value is a mistake worth a 400, not a silent 0.
const days = z
  .string()
  .regex(/^\d{1,4}$/, "must be a whole number of days from 0 to 3650")
  .transform(Number)
  .pipe(z.number().max(3650, "must be a whole number of days from 0 to 3650"));

export const staleReportQuerySchema = z.strictObject({
  environment: z.string().min(1, "must name an environment").optional(),
  repository: z.string().min(1, "must name a repository").optional(),
  branch: z.string().min(1, "must name a branch").optional(),
  format: z.enum(["json", "markdown"], { message: "must be json or markdown" }).default("json"),
  notEvaluatedDays: days.optional(),
  fullyRolledOutDays: days.optional(),
  disabledDays: days.optional(),
  notRehearsedDays: days.optional(),
});

export function reportRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  // A pipeline's ci token reads the stale report too (e.g. to fail a pull request on ARCHIVED_BUT_IN_CODE).

  app.get("/stale", async (c) => {
    const query = readQuery(c, staleReportQuerySchema);
    const problems: Issue[] = [];
    if (query.environment !== undefined && !(await getEnvironment(deps.db, query.environment))) {
      problems.push({ path: "environment", message: `no environment '${query.environment}'` });
    }
    if (query.repository !== undefined || query.branch !== undefined) {
      const uploads = await listCodeRefUploads(deps.db);
      const scoped = uploads.filter(
        (u) =>
          (query.repository === undefined || u.repository === query.repository) &&
          (query.branch === undefined || u.branch === query.branch),
      );
      if (scoped.length === 0) {
        const what = [query.repository, query.branch === undefined ? undefined : `branch ${query.branch}`]
          .filter((w) => w !== undefined)
          .join(", ");
        problems.push({
          path: query.repository === undefined ? "branch" : "repository",
          message: `no code references were uploaded for ${what}`,
        });
      }
    }
    if (problems.length > 0) throw validationFailed(problems, "query");
    const thresholds = {
      notEvaluatedDays: query.notEvaluatedDays ?? defaultStaleThresholds.notEvaluatedDays,
      fullyRolledOutDays: query.fullyRolledOutDays ?? defaultStaleThresholds.fullyRolledOutDays,
      disabledDays: query.disabledDays ?? defaultStaleThresholds.disabledDays,
      notRehearsedDays: query.notRehearsedDays ?? defaultStaleThresholds.notRehearsedDays,
    };
    const scope = { environment: query.environment, repository: query.repository, branch: query.branch };
    const report = staleReport(await loadStaleReportInput(deps.db, { ...scope, now: new Date(), thresholds }));
    if (query.format === "markdown") {
      c.header("Content-Type", "text/markdown; charset=utf-8");
      return c.body(staleReportMarkdown(report));
    }
    return c.json(report);
  });

  return app;
}
