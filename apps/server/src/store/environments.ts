import { asc, eq } from "drizzle-orm";
import type { Db } from "./database";
import { environments } from "./schema";

export type EnvironmentRow = typeof environments.$inferSelect;

export function listEnvironments(db: Db): Promise<EnvironmentRow[]> {
  return db.select().from(environments).orderBy(asc(environments.createdAt), asc(environments.key));
}

export async function getEnvironment(db: Db, key: string): Promise<EnvironmentRow | undefined> {
  const [row] = await db.select().from(environments).where(eq(environments.key, key));
  return row;
}

/** Returns undefined when the key is taken. */
export async function insertEnvironment(
  db: Db,
  env: { key: string; name: string; production?: boolean },
): Promise<EnvironmentRow | undefined> {
  const [row] = await db.insert(environments).values(env).onConflictDoNothing().returning();
  return row;
}

export interface EnvironmentPatch {
  name?: string | undefined;
  webhookUrl?: string | null | undefined;
  webhookSecret?: string | null | undefined;
  seenContextsEnabled?: boolean | undefined;
  confirmFlipShare?: number | null | undefined;
  production?: boolean | undefined;
}

export async function updateEnvironment(db: Db, key: string, patch: EnvironmentPatch): Promise<EnvironmentRow | undefined> {
  const fields = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const [row] = await db
    .update(environments)
    .set({ ...fields, updatedAt: new Date() })
    .where(eq(environments.key, key))
    .returning();
  return row;
}

export async function deleteEnvironment(db: Db, key: string): Promise<EnvironmentRow | undefined> {
  const [row] = await db.delete(environments).where(eq(environments.key, key)).returning();
  return row;
}
