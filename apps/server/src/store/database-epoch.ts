import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "./database";

/**
 * What names this database's history, so an SDK can tell "older data" from "another history".
 * Config versions are change-log sequence numbers; a restored backup or a new database starts
 * them again below what SDKs hold, and an SDK that only moves forward would ignore it forever.
 *
 * The epoch is derived, not stored: a stored id would come back with the backup it is meant to
 * tell apart. Each part changes with one way of going back —
 * - the cluster's system identifier: a new cluster (initdb, a new embedded data folder);
 * - the WAL timeline: point-in-time recovery promotes onto a new timeline;
 * - the database's OID: a new database, or a dump restored into one;
 * - the change log table's OID: `pg_restore --clean` (or drop and restore) recreates the table.
 * A restart, another replica or an upgrade of the server keeps all four. A file-level copy of a
 * data folder put back in place keeps them too (see the README: restart the SDKs after one).
 */
const PARTS = [
  ["system", sql`select system_identifier::text as part from pg_control_system()`],
  ["timeline", sql`select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) as part`],
  ["database", sql`select oid::text as part from pg_database where datname = current_database()`],
  ["changeLog", sql`select 'change_log'::regclass::oid::text as part`],
] as const;

export { EPOCH_PATTERN } from "../live/events/sdk-events";

/** Twelve hex digits; parts a restricted role cannot read (a managed service may hide one) count as empty. */
export async function readDatabaseEpoch(db: Db): Promise<string> {
  const parts: string[] = [];
  for (const [name, query] of PARTS) {
    let part = "";
    try {
      const result = await db.execute(query);
      // postgres.js answers an array of rows, PGlite `{ rows }`: the same row either way.
      const rows: unknown = Array.isArray(result) ? result : (result as { rows?: unknown }).rows;
      const row: unknown = Array.isArray(rows) ? rows[0] : undefined;
      if (typeof row === "object" && row !== null && "part" in row && typeof row.part === "string") part = row.part;
    } catch {
      // Left empty: the other parts still tell most histories apart.
    }
    parts.push(`${name}=${part}`);
  }
  return createHash("sha256").update(parts.join("/")).digest("hex").slice(0, 12);
}
