import { inject } from "vitest";
import { createDatabaseOn, type ScratchDatabase } from "./postgres-scratch";

/** A fresh PostgreSQL database per use, so test files can run in parallel on one server. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const base = inject("postgresUrl");
  if (base === null) throw new Error("no PostgreSQL available (DATABASE_URL)");
  return createDatabaseOn(base, "switchyard_test");
}
