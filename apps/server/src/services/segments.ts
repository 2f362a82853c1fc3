import type { Condition, SegmentRule } from "@switchyard/core";
import { fail, ok, type Result } from "../errors";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import { listAllConfigs } from "../store/flag-configs";
import * as segmentsStore from "../store/segments";
import { mutate, type ServiceDeps } from "./mutation";
import { assignRuleIds } from "./rule-ids";

export interface SegmentInput {
  key: string;
  name?: string | undefined;
  description?: string | undefined;
  included: string[];
  excluded: string[];
  rules: Array<{ id?: string | undefined; conditions: Condition[] }>;
}

export interface SegmentView {
  key: string;
  name: string;
  description: string;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

const view = (row: segmentsStore.SegmentRow): SegmentView => ({
  key: row.key,
  name: row.name,
  description: row.description,
  included: row.included,
  excluded: row.excluded,
  rules: row.rules,
  version: row.version,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export async function listSegments(deps: ServiceDeps): Promise<SegmentView[]> {
  return (await segmentsStore.listSegments(deps.db)).map(view);
}

export async function getSegment(deps: ServiceDeps, key: string): Promise<Result<SegmentView>> {
  const row = await segmentsStore.getSegment(deps.db, key);
  return row ? ok(view(row)) : fail("NOT_FOUND", `Segment '${key}' does not exist`);
}

export function createSegment(deps: ServiceDeps, actor: Actor, input: SegmentInput): Promise<Result<SegmentView>> {
  return mutate(deps, async (tx, record) => {
    const row = await segmentsStore.insertSegment(tx, { ...fields(input), key: input.key, version: 1 });
    if (!row) return fail("CONFLICT", `Segment '${input.key}' already exists`);
    const after = view(row);
    await record.audit({ actor, action: "segment.create", resourceType: "segment", resourceKey: row.key, after });
    record.change({ environmentKey: null, entity: "segment", key: row.key });
    return ok(after);
  });
}

/** PUT replaces the whole segment; `If-Match` guards against overwriting someone else's change. */
export function replaceSegment(
  deps: ServiceDeps,
  actor: Actor,
  key: string,
  input: Omit<SegmentInput, "key">,
  options: { expectedVersion?: number | undefined; comment: string | null },
): Promise<Result<SegmentView>> {
  return mutate(deps, async (tx, record) => {
    const before = await segmentsStore.getSegment(tx, key, { forUpdate: true });
    if (!before) return fail("NOT_FOUND", `Segment '${key}' does not exist`);
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version) {
      return fail(
        "VERSION_CONFLICT",
        `Segment '${key}' is at version ${before.version}, not ${options.expectedVersion}; reload it and apply your change again`,
        { currentVersion: before.version },
      );
    }
    const row = await segmentsStore.updateSegment(tx, key, { ...fields({ ...input, key }), version: before.version + 1 });
    if (!row) return fail("NOT_FOUND", `Segment '${key}' does not exist`);
    const after = view(row);
    await record.audit({
      actor,
      action: "segment.update",
      resourceType: "segment",
      resourceKey: key,
      before: view(before),
      after,
      comment: options.comment,
    });
    record.change({ environmentKey: null, entity: "segment", key });
    return ok(after);
  });
}

/** A segment still used by a flag config cannot be deleted: the config would silently change meaning. */
export function deleteSegment(deps: ServiceDeps, actor: Actor, key: string): Promise<Result<SegmentView>> {
  return mutate(deps, async (tx, record) => {
    const users = await segmentUsers(tx, key);
    if (users.length > 0) {
      return fail("CONFLICT", `Segment '${key}' is used by ${users.join(", ")}; remove it from those rules first`, { usedBy: users });
    }
    const row = await segmentsStore.deleteSegment(tx, key);
    if (!row) return fail("NOT_FOUND", `Segment '${key}' does not exist`);
    const before = view(row);
    await record.audit({ actor, action: "segment.delete", resourceType: "segment", resourceKey: key, before });
    record.change({ environmentKey: null, entity: "segment", key, deleted: true });
    return ok(before);
  });
}

function fields(input: SegmentInput) {
  const rules = assignRuleIds(input.rules).map((r) => ({ id: r.id, conditions: r.conditions }));
  return { name: input.name ?? input.key, description: input.description ?? "", included: input.included, excluded: input.excluded, rules };
}

async function segmentUsers(tx: Db, key: string): Promise<string[]> {
  const users = new Set<string>();
  for (const c of await listAllConfigs(tx)) {
    if (c.config.rules.some((r) => (r.segments ?? []).includes(key))) users.add(`${c.flagKey} (${c.environmentKey})`);
  }
  return [...users].sort();
}
