import { and, asc, eq, type SQL } from "drizzle-orm";
import type { Db } from "./database";
import { codeRefs, codeRefUploads } from "./schema";

export type CodeRefRow = typeof codeRefs.$inferSelect;
export type CodeRefUploadRow = typeof codeRefUploads.$inferSelect;

// 6 columns a row: 5,000 rows stay well under PostgreSQL's 65,535 parameters per statement.
const INSERT_CHUNK = 5_000;

/** Replaces every reference of one repository and branch, in one transaction. */
export async function replaceCodeRefs(
  db: Db,
  upload: {
    repository: string;
    branch: string;
    uploadedBy: string | null;
    uploadedAt: Date;
    refs: Array<Omit<CodeRefRow, "repository" | "branch">>;
  },
): Promise<CodeRefUploadRow> {
  return db.transaction(async (tx) => {
    const values = {
      repository: upload.repository,
      branch: upload.branch,
      uploadedAt: upload.uploadedAt,
      uploadedBy: upload.uploadedBy,
      refCount: upload.refs.length,
    };
    const [row] = await tx
      .insert(codeRefUploads)
      .values(values)
      .onConflictDoUpdate({ target: [codeRefUploads.repository, codeRefUploads.branch], set: values })
      .returning();
    if (!row) throw new Error("code_ref_uploads upsert returned no row");
    await tx.delete(codeRefs).where(and(eq(codeRefs.repository, upload.repository), eq(codeRefs.branch, upload.branch)));
    for (let i = 0; i < upload.refs.length; i += INSERT_CHUNK) {
      await tx
        .insert(codeRefs)
        .values(upload.refs.slice(i, i + INSERT_CHUNK).map((r) => ({ ...r, repository: upload.repository, branch: upload.branch })));
    }
    return row;
  });
}

/** Deletes one repository and branch with its references; false when it was never uploaded. */
export async function deleteCodeRefUpload(db: Db, repository: string, branch: string): Promise<boolean> {
  const rows = await db
    .delete(codeRefUploads)
    .where(and(eq(codeRefUploads.repository, repository), eq(codeRefUploads.branch, branch)))
    .returning({ repository: codeRefUploads.repository });
  return rows.length > 0;
}

export function listCodeRefUploads(db: Db): Promise<CodeRefUploadRow[]> {
  return db.select().from(codeRefUploads).orderBy(asc(codeRefUploads.repository), asc(codeRefUploads.branch));
}

export interface CodeRefFilter {
  flag?: string | undefined;
  repository?: string | undefined;
  branch?: string | undefined;
}

export function listCodeRefs(db: Db, filter: CodeRefFilter, page: { limit: number; offset: number }): Promise<CodeRefRow[]> {
  const conditions: SQL[] = [];
  if (filter.flag !== undefined) conditions.push(eq(codeRefs.flagKey, filter.flag));
  if (filter.repository !== undefined) conditions.push(eq(codeRefs.repository, filter.repository));
  if (filter.branch !== undefined) conditions.push(eq(codeRefs.branch, filter.branch));
  return db
    .select()
    .from(codeRefs)
    .where(and(...conditions))
    .orderBy(asc(codeRefs.flagKey), asc(codeRefs.repository), asc(codeRefs.branch), asc(codeRefs.path), asc(codeRefs.line))
    .limit(page.limit)
    .offset(page.offset);
}

/** Where each flag appears, without the matched text: what the stale-flag report needs. */
export function listCodeRefLocations(
  db: Db,
  filter: Omit<CodeRefFilter, "flag"> = {},
): Promise<Array<{ flag: string; repository: string; branch: string; path: string; line: number }>> {
  const conditions: SQL[] = [];
  if (filter.repository !== undefined) conditions.push(eq(codeRefs.repository, filter.repository));
  if (filter.branch !== undefined) conditions.push(eq(codeRefs.branch, filter.branch));
  return db
    .select({ flag: codeRefs.flagKey, repository: codeRefs.repository, branch: codeRefs.branch, path: codeRefs.path, line: codeRefs.line })
    .from(codeRefs)
    .where(and(...conditions));
}
