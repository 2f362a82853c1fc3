import { fail, ok, type Result } from "../errors";
import type { Actor } from "../store/audit";
import * as codeRefsStore from "../store/code-refs";
import type { Db } from "../store/database";
import { listFlags } from "../store/flags";

export interface CodeRefInput {
  flag: string;
  path: string;
  line: number;
  /** The matched line only, trimmed and truncated by the scanner. */
  text?: string | undefined;
}

export interface CodeRefUpload {
  repository: string;
  branch: string;
  refs: CodeRefInput[];
}

export interface CodeRefUploadView {
  repository: string;
  branch: string;
  uploadedAt: string;
  uploadedBy: string | null;
  refCount: number;
}

export interface CodeRefView {
  flag: string;
  repository: string;
  branch: string;
  path: string;
  line: number;
  text: string | null;
}

const uploadView = (row: codeRefsStore.CodeRefUploadRow): CodeRefUploadView => ({
  repository: row.repository,
  branch: row.branch,
  uploadedAt: row.uploadedAt.toISOString(),
  uploadedBy: row.uploadedBy,
  refCount: row.refCount,
});

/**
 * Replaces the references of one repository and branch. Keys that name no flag are kept (a typo
 * in code is worth seeing) and listed in the answer as `unknownFlags`.
 */
export async function uploadCodeRefs(
  db: Db,
  actor: Actor,
  upload: CodeRefUpload,
  now = new Date(),
): Promise<CodeRefUploadView & { flags: number; unknownFlags: string[] }> {
  // One row per flag, path and line: a scanner may report a line twice (two patterns matched).
  const unique = new Map<string, CodeRefInput>();
  for (const ref of upload.refs) {
    const key = `${ref.flag}\u0000${ref.path}\u0000${ref.line}`;
    if (!unique.has(key)) unique.set(key, ref);
  }
  const refs = [...unique.values()].map((r) => ({ flagKey: r.flag, path: r.path, line: r.line, text: r.text ?? null }));
  const row = await codeRefsStore.replaceCodeRefs(db, {
    repository: upload.repository,
    branch: upload.branch,
    uploadedBy: actor.name,
    uploadedAt: now,
    refs,
  });
  const known = new Set((await listFlags(db, { includeArchived: true })).map((f) => f.key));
  const flags = [...new Set(refs.map((r) => r.flagKey))].sort();
  return { ...uploadView(row), flags: flags.length, unknownFlags: flags.filter((f) => !known.has(f)) };
}

export async function listCodeRefs(
  db: Db,
  filter: codeRefsStore.CodeRefFilter,
  page: { limit: number; offset: number },
): Promise<{ uploads: CodeRefUploadView[]; refs: CodeRefView[] }> {
  const [uploads, refs] = await Promise.all([codeRefsStore.listCodeRefUploads(db), codeRefsStore.listCodeRefs(db, filter, page)]);
  return {
    uploads: uploads
      .filter(
        (u) =>
          (filter.repository === undefined || u.repository === filter.repository) &&
          (filter.branch === undefined || u.branch === filter.branch),
      )
      .map(uploadView),
    refs: refs.map((r) => ({ flag: r.flagKey, repository: r.repository, branch: r.branch, path: r.path, line: r.line, text: r.text })),
  };
}

export async function deleteCodeRefs(db: Db, repository: string, branch: string): Promise<Result<{ repository: string; branch: string }>> {
  if (!(await codeRefsStore.deleteCodeRefUpload(db, repository, branch))) {
    return fail("NOT_FOUND", `No code references were uploaded for ${repository}@${branch}`);
  }
  return ok({ repository, branch });
}
