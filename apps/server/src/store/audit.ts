import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "./database";
import { auditLog } from "./schema";

export interface Actor {
  tokenId: string | null;
  name: string;
}

export interface AuditInput {
  actor: Actor;
  action: string;
  resourceType: string;
  resourceKey: string;
  flagKey?: string | null;
  environmentKey?: string | null;
  before?: unknown;
  after?: unknown;
  comment?: string | null;
  deployId?: string | null;
}

export type AuditRow = typeof auditLog.$inferSelect;

export async function insertAudit(db: Db, entry: AuditInput): Promise<void> {
  await db.insert(auditLog).values({
    actorTokenId: entry.actor.tokenId,
    actorName: entry.actor.name,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceKey: entry.resourceKey,
    flagKey: entry.flagKey ?? null,
    environmentKey: entry.environmentKey ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    comment: entry.comment ?? null,
    deployId: entry.deployId ?? null,
  });
}

export async function listAudit(
  db: Db,
  filter: { flag?: string; environment?: string; beforeId?: number; limit: number },
): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (filter.flag !== undefined) where.push(eq(auditLog.flagKey, filter.flag));
  if (filter.environment !== undefined) where.push(eq(auditLog.environmentKey, filter.environment));
  if (filter.beforeId !== undefined) where.push(lt(auditLog.id, filter.beforeId));
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}
