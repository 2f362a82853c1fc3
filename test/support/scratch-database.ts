import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";

/** A fresh PostgreSQL database per use, so test files can run in parallel on one server. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = inject("postgresUrl");
  if (base === null) throw new Error("no PostgreSQL available (DATABASE_URL)");
  const name = `switchyard_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(base, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}
