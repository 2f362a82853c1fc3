import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { RehearsalResult, RehearsalStatus } from "../rehearsals/types";
import { environments, flags } from "./schema";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Rollback rehearsals: one row per run, `result` filled in when it ends. */
export const rehearsals = pgTable(
  "rehearsals",
  {
    id: text("id").primaryKey(),
    environmentKey: text("environment_key")
      .notNull()
      .references(() => environments.key, { onDelete: "cascade" }),
    flagKey: text("flag_key")
      .notNull()
      .references(() => flags.key, { onDelete: "cascade" }),
    deployId: text("deploy_id"),
    status: text("status").$type<RehearsalStatus>().notNull(),
    targetMs: integer("target_ms").notNull(),
    summary: text("summary").notNull().default(""),
    result: jsonb("result").$type<RehearsalResult>(),
    createdBy: text("created_by").notNull(),
    startedAt: at("started_at").notNull(),
    finishedAt: at("finished_at"),
  },
  (t) => [
    index("rehearsals_flag_idx").on(t.flagKey, t.environmentKey, t.startedAt),
    // One running rehearsal per flag and environment: a second would snapshot the first's flag-off and "restore" it.
    uniqueIndex("rehearsals_running_idx").on(t.flagKey, t.environmentKey).where(sql`status = 'running'`),
  ],
);
