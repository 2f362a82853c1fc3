import { asc, eq } from "drizzle-orm";
import type { Db } from "./database";
import { apiTokens } from "./schema";

export type TokenRow = typeof apiTokens.$inferSelect;
export type NewToken = typeof apiTokens.$inferInsert;

export function listTokens(db: Db): Promise<TokenRow[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

export async function getToken(db: Db, id: string): Promise<TokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  return row;
}

export async function insertToken(db: Db, token: NewToken): Promise<TokenRow> {
  const [row] = await db.insert(apiTokens).values(token).returning();
  if (!row) throw new Error("api_tokens insert returned no row");
  return row;
}

export async function deleteToken(db: Db, id: string): Promise<TokenRow | undefined> {
  const [row] = await db.delete(apiTokens).where(eq(apiTokens.id, id)).returning();
  return row;
}

export async function countAdminTokens(db: Db): Promise<number> {
  const rows = await db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.kind, "admin"));
  return rows.length;
}
