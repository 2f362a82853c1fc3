import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { migrationsFolder } from "../package-folders";
import { acquireDataDirLock } from "./data-dir-lock";
import * as schema from "./schema";

/** The one database type services see: the same drizzle API over postgres.js or PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: Db;
  readonly kind: "postgres" | "embedded";
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: "postgres"; url: string; maxConnections?: number }
  /** `dataDir` undefined means in memory (tests). */
  | { kind: "embedded"; dataDir: string | undefined };

/** Runs once per start, after migrations, while holding the migration lock. */
export type SetupStep = (db: Db) => Promise<void>;

// Any constant works; it only has to be the same for every replica.
const MIGRATION_LOCK_ID = 0x5717c4;

export async function openDatabase(options: DatabaseOptions, setup?: SetupStep): Promise<Database> {
  return options.kind === "postgres"
    ? openPostgres(options.url, options.maxConnections ?? 10, setup)
    : openEmbedded(options.dataDir, setup);
}

async function openPostgres(url: string, maxConnections: number, setup?: SetupStep): Promise<Database> {
  // Migrations and first-start seeding run on one dedicated connection holding an advisory lock,
  // so replicas starting together apply them once, one after the other.
  const lockClient = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const lockDb = drizzlePostgres(lockClient, { schema });
    await lockDb.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
    try {
      await migratePostgres(lockDb, { migrationsFolder });
      if (setup) await setup(lockDb);
    } finally {
      await lockDb.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
    }
  } finally {
    await lockClient.end({ timeout: 5 });
  }
  const client = postgres(url, { max: maxConnections, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    kind: "postgres",
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openEmbedded(dataDir: string | undefined, setup?: SetupStep): Promise<Database> {
  let releaseLock = () => {};
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(dataDir);
  }
  try {
    const client = dataDir === undefined ? new PGlite() : new PGlite(`${dataDir}/pgdata`);
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder });
    if (setup) await setup(db);
    let closed = false;
    return {
      db,
      kind: "embedded",
      async ping() {
        await db.execute(sql`select 1`);
      },
      async close() {
        if (closed) return;
        closed = true;
        await client.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
