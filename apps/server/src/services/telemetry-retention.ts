import type { Logger } from "pino";
import type { Db } from "../store/database";
import { pruneEvaluationCounts } from "../store/evaluation-telemetry";
import { pruneEventCounts, pruneInstances } from "../store/sdk-usage";
import { pruneSeenContexts } from "../store/seen-contexts";
import { forgetEventNames } from "./sdk-usage";
import { SEEN_CONTEXTS_RETENTION_DAYS } from "./seen-context-recorder";

export const DEFAULT_TELEMETRY_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * Deletes what is older than the retention — hourly evaluation buckets, event buckets, SDK
 * instances that neither reported nor streamed since — and seen contexts not seen for
 * SEEN_CONTEXTS_RETENTION_DAYS; returns how many rows it deleted.
 */
export async function pruneTelemetry(db: Db, options: { now: Date; retentionDays?: number }): Promise<number> {
  const retentionDays = options.retentionDays ?? DEFAULT_TELEMETRY_RETENTION_DAYS;
  const before = new Date(options.now.getTime() - retentionDays * DAY_MS);
  await pruneSeenContexts(db, new Date(options.now.getTime() - SEEN_CONTEXTS_RETENTION_DAYS * DAY_MS));
  const deleted = (await pruneEvaluationCounts(db, before)) + (await pruneEventCounts(db, before)) + (await pruneInstances(db, before));
  forgetEventNames(db);
  return deleted;
}

export interface TelemetryRetention {
  /** Stops the timer and waits for a prune in progress, so the database can close after it. */
  stop(): Promise<void>;
}

/**
 * Prunes at start and then every `intervalMs` (a day). Every replica may run it: the delete is
 * idempotent, and a day's buckets are few enough that running it twice costs nothing.
 */
export function startTelemetryRetention(options: {
  db: Db;
  logger: Logger;
  retentionDays?: number;
  intervalMs?: number;
  now?: () => Date;
}): TelemetryRetention {
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = pruneTelemetry(options.db, {
      now: now(),
      ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
    })
      .then((deleted) => {
        if (deleted > 0)
          options.logger.info(
            { deleted, retentionDays: options.retentionDays ?? DEFAULT_TELEMETRY_RETENTION_DAYS },
            "pruned old evaluation and event buckets and SDK instances",
          );
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, "could not prune old evaluation buckets"))
      .finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? DAY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
