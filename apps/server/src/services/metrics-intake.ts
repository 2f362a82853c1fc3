import type { Db } from "../store/database";
import type { ReadSide } from "../live/read-side";
import type { MetricsIntake } from "../routes/route-deps";
import { offerReportedContexts } from "../routes/sdk";
import type { ObservedEnvironments } from "./observed-environments";
import { recordMetrics } from "./sdk-usage";
import type { SeenContextRecorder } from "./seen-context-recorder";

/** The server's intake: reports are stored (services/sdk-usage.ts) and their contexts sampled. */
export function databaseMetricsIntake(deps: {
  db: Db;
  live: ReadSide;
  observed: ObservedEnvironments;
  seenContexts: SeenContextRecorder;
}): MetricsIntake {
  return {
    async record(view, source, report) {
      const receipt = await recordMetrics(deps, { environmentKey: view.key, source }, report);
      if (receipt.ok) offerReportedContexts(deps.seenContexts, view, report.contexts);
      return receipt;
    },
    hint: (environmentKey) => deps.observed.hint(environmentKey),
  };
}
