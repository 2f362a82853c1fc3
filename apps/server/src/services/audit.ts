import { fail, ok, type Result } from "../errors";
import { listAudit } from "../store/audit";
import type { ServiceDeps } from "./mutation";

export interface AuditEntryView {
  id: number;
  at: string;
  actor: { tokenId: string | null; name: string };
  action: string;
  resource: { type: string; key: string };
  flag: string | null;
  environment: string | null;
  before: unknown;
  after: unknown;
  comment: string | null;
  deployId: string | null;
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const encodeCursor = (id: number) => Buffer.from(`audit:${id}`).toString("base64url");

function decodeCursor(cursor: string): number | undefined {
  const match = /^audit:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Newest first, paged by an opaque cursor so pages stay stable while new entries arrive. */
export async function readAudit(
  deps: ServiceDeps,
  query: { flag?: string | undefined; environment?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<Result<AuditPage>> {
  let beforeId: number | undefined;
  if (query.cursor !== undefined) {
    beforeId = decodeCursor(query.cursor);
    if (beforeId === undefined)
      return fail("VALIDATION_FAILED", "Invalid cursor: pass the nextCursor of a previous page", [
        { path: "cursor", message: "not a cursor this API returned" },
      ]);
  }
  const rows = await listAudit(deps.db, { flag: query.flag, environment: query.environment, beforeId, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return ok({
    entries: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: { tokenId: r.actorTokenId, name: r.actorName },
      action: r.action,
      resource: { type: r.resourceType, key: r.resourceKey },
      flag: r.flagKey,
      environment: r.environmentKey,
      before: r.before,
      after: r.after,
      comment: r.comment,
      deployId: r.deployId,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  });
}
