import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import {
  type CasesDocument,
  compile,
  type EvaluationContext,
  type FlagDefinition,
  indexedConfig,
  type Segment,
  type Serve,
  type Snapshot,
} from "@switchyard/core";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../src/package-folders";
import { createScratchDatabase } from "../../../test/support/scratch-database";
import { type Db, openDatabase } from "../src/store/database";
import * as schema from "../src/store/schema";
import { loadFlagDefinitions, loadSegments } from "../src/store/snapshots";
import { prepareDatabase } from "../src/services/first-start";
import { type BackendName, backends } from "./harness";

/*
 * Migration 0010 turns variation indexes into ids. Whatever data it meets, every context must
 * be served what it was served before: each cases.json suite and the demo data are written into
 * the schema as it was before 0010 (variations as plain values, configs by index), migrated,
 * read back the way the server builds its snapshots, and evaluated against the same contexts.
 */

const LAST_BEFORE = 9;

/** The migrations folder as it was before 0010: the same SQL files, a journal that ends at 0009. */
function migrationsBefore(): string {
  const folder = mkdtempSync(join(tmpdir(), "switchyard-migrations-"));
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  // Parsed boundary: drizzle-kit's journal.
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((entry) => entry.idx <= LAST_BEFORE);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/** A database at 0009 holding `snapshot` as environment "production", then migrated to the end. */
async function migratedCopy(backend: BackendName, snapshot: Snapshot): Promise<{ before: Snapshot; after: Snapshot }> {
  const folder = migrationsBefore();
  folders.push(folder);
  const database = await freshDatabase(backend);
  try {
    const { db } = database;
    await database.migrate(folder);
    await db.execute(sql`insert into environments (key, name) values ('production', 'Production')`);
    for (const flag of snapshot.flags) {
      const { key, variations, variationNames: _names, metadata: _metadata, version, ...config } = flag;
      await db.execute(sql`insert into flags (key, name, kind, variations) values (${key}, ${key}, 'release', ${json(variations)})`);
      await db.execute(
        sql`insert into flag_configs (flag_key, environment_key, version, config) values (${key}, 'production', ${version}, ${json(config)})`,
      );
      await db.execute(
        sql`insert into flag_config_versions (flag_key, environment_key, version, config) values (${key}, 'production', ${version}, ${json(config)})`,
      );
    }
    for (const segment of snapshot.segments) {
      await db.execute(
        sql`insert into segments (key, name, included, excluded, rules, version) values (${segment.key}, ${segment.key}, ${json(segment.included)}, ${json(segment.excluded)}, ${json(segment.rules)}, ${segment.version})`,
      );
    }
    await database.migrate(migrationsFolder);
    const flags = await loadFlagDefinitions(db, "production");
    const history = await db.select().from(schema.flagConfigVersions);
    // The kept versions migrate too: each still reads as the config it was.
    const stored = await db.select().from(schema.flags);
    const idsOf = (key: string) => stored.find((f) => f.key === key)?.variations.map((v) => v.id);
    for (const row of history) {
      const current = flags.find((f) => f.key === row.flagKey);
      expect(indexedConfig(row.config, idsOf(row.flagKey) ?? [], idsOf), row.flagKey).toEqual(
        current && {
          enabled: current.enabled,
          offVariation: current.offVariation,
          rules: current.rules,
          fallthrough: current.fallthrough,
          prerequisites: current.prerequisites,
        },
      );
    }
    expect(flags.map((f) => f.key).sort()).toEqual([...new Set(snapshot.flags.map((f) => f.key))].sort());
    return { before: snapshot, after: { flags, segments: await loadSegments(db) } };
  } finally {
    await database.close();
  }
}

/** An empty database of the backend, migrated only when asked (to a folder of the caller's choice). */
async function freshDatabase(backend: BackendName): Promise<{ db: Db; migrate(folder: string): Promise<void>; close(): Promise<void> }> {
  if (backend === "embedded") {
    const client = new PGlite();
    const db = drizzle(client, { schema });
    return { db, migrate: (folder) => migrate(db, { migrationsFolder: folder }), close: () => client.close() };
  }
  const scratch = await createScratchDatabase();
  const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    migrate: (folder) => migratePostgres(db, { migrationsFolder: folder }),
    async close() {
      await client.end({ timeout: 5 });
      await scratch.drop();
    },
  };
}

/** What a context is served, without the parts 0010 may change (names are new; error text may differ). */
function outcomes(snapshot: Snapshot, contexts: readonly unknown[]) {
  const engine = compile(snapshot);
  const keys = [...new Set(snapshot.flags.map((flag) => flag.key))].sort();
  return keys.flatMap((key) =>
    contexts.map((context) => {
      // Parsed boundary: some vectors deliberately pass contexts that are not objects.
      const { value, variation, reason, ruleId, prerequisiteKey, errorCode } = engine.evaluate(key, context as EvaluationContext);
      return { flag: key, context, value, variation, reason, ruleId, prerequisiteKey, errorCode };
    }),
  );
}

const hasRolloutOrder = (serve: Serve) => "rollout" in serve && serve.rollout.variations !== undefined;

/** The snapshot as it was stored before 0010: plain values, indexes, no names. */
function withoutNames(snapshot: Snapshot): Snapshot {
  return {
    segments: snapshot.segments,
    flags: snapshot.flags.map(({ variationNames: _names, metadata: _metadata, ...flag }) => flag),
  };
}

const casesDocument = JSON.parse(readFileSync(new URL("../../../packages/core/cases.json", import.meta.url), "utf8")) as CasesDocument;

for (const backend of backends()) {
  describe.skipIf(backend.skip)(`migration 0010 (variation ids) on ${backend.name} serves every context what it served before`, () => {
    it.each(casesDocument.suites.map((suite) => [suite.name, suite] as const))("cases.json suite %s", async (_name, suite) => {
      // A rollout with its own variation order is new with 0010: no stored data has one.
      const old = withoutNames(suite.snapshot);
      const legacy = { ...old, flags: old.flags.filter((f) => ![f.fallthrough, ...f.rules.map((r) => r.serve)].some(hasRolloutOrder)) };
      const { before, after } = await migratedCopy(backend.name, legacy);
      const contexts = suite.cases.map((c) => c.context);
      expect(outcomes(after, contexts)).toEqual(outcomes(before, contexts));
    });

    it("the demo data", async () => {
      // The demo seed as the server writes it today, read back in the pre-0010 form (by index).
      const seeded = await openDatabase({ kind: "embedded", dataDir: undefined }, async (db) => {
        await prepareDatabase(db, { adminToken: undefined, demo: true });
      });
      let demo: Snapshot;
      try {
        const flags: FlagDefinition[] = (await loadFlagDefinitions(seeded.db, "production")).map(({ variationNames: _n, ...flag }) => flag);
        const segments: Segment[] = await loadSegments(seeded.db);
        demo = { flags, segments };
      } finally {
        await seeded.close();
      }
      expect(demo.flags.map((f) => f.key)).toEqual(["maintenance-mode", "new-checkout", "search-ranking"]);
      const contexts = Array.from({ length: 300 }, (_, i) => ({
        key: `user-${i}`,
        country: ["DE", "FR", "US", "NL"][i % 4],
        plan: i % 3 === 0 ? "enterprise" : "free",
      }));
      contexts.push({ key: "beta-1", country: "US", plan: "free" });
      const { before, after } = await migratedCopy(backend.name, demo);
      const served = outcomes(after, contexts);
      expect(served).toEqual(outcomes(before, contexts));
      // Not a vacuous comparison: the demo's rollout serves both variations.
      const checkout = served.filter((o) => o.flag === "new-checkout" && o.reason === "SPLIT");
      expect(new Set(checkout.map((o) => o.value))).toEqual(new Set([true, false]));
    });
  });
}
