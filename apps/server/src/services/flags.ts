import type { FlagMetadata, Variation } from "@switchyard/core";
import type { VariationListInput } from "@switchyard/core/schema";
import { fail, ok, type Result, validationFailed } from "../errors";
import type { Actor } from "../store/audit";
import { listEnvironments } from "../store/environments";
import { listAllConfigs, listConfigsOfFlag, writeConfig, type FlagConfigRow } from "../store/flag-configs";
import * as flagsStore from "../store/flags";
import { moveVariationCounts } from "../store/variation-counts";
import { defaultConfig, defaultVariations, expectedLifetimeDaysByKind, type FlagKind } from "./flag-defaults";
import { changedVariations, createVariations, editVariations, usesOfRemoved } from "./flag-variations";
import { mutate, type ServiceDeps } from "./mutation";

export interface FlagInput {
  key: string;
  name?: string | undefined;
  description?: string | undefined;
  kind?: FlagKind | undefined;
  variations?: VariationListInput | undefined;
  metadata?: FlagMetadata | undefined;
  tags?: string[] | undefined;
  owner?: string | null | undefined;
  expectedLifetimeDays?: number | null | undefined;
  permanent?: boolean | undefined;
}

export interface FlagPatch {
  name?: string | undefined;
  description?: string | undefined;
  kind?: FlagKind | undefined;
  variations?: VariationListInput | undefined;
  metadata?: FlagMetadata | undefined;
  tags?: string[] | undefined;
  owner?: string | null | undefined;
  expectedLifetimeDays?: number | null | undefined;
  permanent?: boolean | undefined;
  archived?: boolean | undefined;
}

export interface FlagView {
  key: string;
  name: string;
  description: string;
  kind: FlagKind;
  variations: Variation[];
  metadata: FlagMetadata;
  tags: string[];
  owner: string | null;
  /** The flag's own override, or its kind's; null means permanent. */
  expectedLifetimeDays: number | null;
  /** Marked by an admin as meant to stay (never reported as past its lifetime). */
  permanent: boolean;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  environments: Record<string, { enabled: boolean; version: number; updatedAt: string }>;
}

function view(row: flagsStore.FlagRow, configs: FlagConfigRow[]): FlagView {
  // The kind column is only written from the validated FlagKind set.
  const kind = row.kind as FlagKind;
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    kind,
    variations: row.variations,
    metadata: row.metadata,
    tags: row.tags,
    owner: row.owner,
    expectedLifetimeDays: row.permanent ? null : (row.expectedLifetimeDays ?? expectedLifetimeDaysByKind[kind]),
    permanent: row.permanent,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: row.archivedAt?.toISOString() ?? null,
    environments: Object.fromEntries(
      configs.map((c) => [c.environmentKey, { enabled: c.config.enabled, version: c.version, updatedAt: c.updatedAt.toISOString() }]),
    ),
  };
}

export async function listFlags(deps: ServiceDeps, options: { includeArchived: boolean; tag?: string | undefined }): Promise<FlagView[]> {
  const [rows, configs] = await Promise.all([flagsStore.listFlags(deps.db, options), listAllConfigs(deps.db)]);
  const byFlag = new Map<string, FlagConfigRow[]>();
  for (const c of configs) byFlag.set(c.flagKey, [...(byFlag.get(c.flagKey) ?? []), c]);
  return rows
    .filter((r) => options.tag === undefined || r.tags.includes(options.tag))
    .map((r) =>
      view(
        r,
        (byFlag.get(r.key) ?? []).sort((a, b) => a.environmentKey.localeCompare(b.environmentKey)),
      ),
    );
}

export async function getFlag(deps: ServiceDeps, key: string): Promise<Result<FlagView>> {
  const row = await flagsStore.getFlag(deps.db, key);
  if (!row) return fail("NOT_FOUND", `Flag '${key}' does not exist`);
  return ok(view(row, await listConfigsOfFlag(deps.db, key)));
}

/** A new flag gets a config in every environment, off, at version 1. */
export function createFlag(deps: ServiceDeps, actor: Actor, input: FlagInput): Promise<Result<FlagView>> {
  return mutate(deps, async (tx, record) => {
    const variations = createVariations(input.variations ?? { form: "values", values: defaultVariations });
    const row = await flagsStore.insertFlag(tx, {
      key: input.key,
      name: input.name ?? input.key,
      description: input.description ?? "",
      kind: input.kind ?? "release",
      variations,
      metadata: input.metadata ?? {},
      tags: input.tags ?? [],
      owner: input.owner ?? null,
      expectedLifetimeDays: input.expectedLifetimeDays ?? null,
      permanent: input.permanent ?? false,
    });
    if (!row) return fail("CONFLICT", `Flag '${input.key}' already exists (flag keys are unique, also across archived flags)`);
    const configs: FlagConfigRow[] = [];
    for (const env of await listEnvironments(tx)) {
      configs.push(
        await writeConfig(tx, {
          flagKey: row.key,
          environmentKey: env.key,
          version: 1,
          config: defaultConfig(variations),
          actor,
          comment: "flag created",
        }),
      );
    }
    const after = view(row, configs);
    await record.audit({ actor, action: "flag.create", resourceType: "flag", resourceKey: row.key, flagKey: row.key, after });
    record.change({ environmentKey: null, entity: "flag", key: row.key });
    return ok(after);
  });
}

export function updateFlag(
  deps: ServiceDeps,
  actor: Actor,
  key: string,
  patch: FlagPatch,
  comment: string | null,
): Promise<Result<FlagView>> {
  return mutate(deps, async (tx, record) => {
    const before = await flagsStore.getFlag(tx, key, { forUpdate: true });
    if (!before) return fail("NOT_FOUND", `Flag '${key}' does not exist`);
    const configs = await listConfigsOfFlag(tx, key);
    let variations: Variation[] | undefined;
    if (patch.variations !== undefined) {
      const edit = editVariations(before.variations, patch.variations);
      if (!edit.ok) return { ok: false, error: validationFailed(edit.issues, "flag") };
      variations = edit.variations;
      const kept = new Set(variations.map((v) => v.id));
      const removed = before.variations.filter((v) => !kept.has(v.id));
      const uses = removed.length === 0 ? [] : usesOfRemoved(key, removed, await listAllConfigs(tx));
      if (uses.length > 0) {
        const list = uses.map((u) => `${u.variation}: ${u.environment} ${u.flag} ${u.where}`).join("; ");
        return fail("CONFLICT", `Flag '${key}' still serves the variations you removed (${list}); change those configs first`, { uses });
      }
    }
    if (patch.archived === true && before.archivedAt === null) {
      const dependents = await prerequisiteDependents(tx, key);
      if (dependents.length > 0) {
        return fail(
          "CONFLICT",
          `Flag '${key}' is a prerequisite of ${dependents.join(", ")}; remove it from those configs before archiving`,
          { dependents },
        );
      }
    }
    const { archived, variations: _input, ...fields } = patch;
    const row = await flagsStore.updateFlag(tx, key, {
      ...fields,
      ...(variations === undefined ? {} : { variations }),
      ...(archived === undefined ? {} : { archivedAt: archived ? (before.archivedAt ?? new Date()) : null }),
    });
    if (!row) return fail("NOT_FOUND", `Flag '${key}' does not exist`);
    if (variations !== undefined) {
      const positions = new Map(variations.map((v, index) => [v.id, index]));
      await moveVariationCounts(
        tx,
        key,
        before.variations.map((v) => positions.get(v.id) ?? null),
      );
    }
    const action =
      archived === true && before.archivedAt === null
        ? "flag.archive"
        : archived === false && before.archivedAt !== null
          ? "flag.unarchive"
          : "flag.update";
    const after = view(row, configs);
    await record.audit({
      actor,
      action,
      resourceType: "flag",
      resourceKey: key,
      flagKey: key,
      before: view(before, configs),
      after: variations === undefined ? after : { ...after, changedVariations: changedVariations(before.variations, variations) },
      comment,
    });
    record.change({ environmentKey: null, entity: "flag", key });
    return ok(after);
  });
}

async function prerequisiteDependents(tx: Parameters<typeof listAllConfigs>[0], key: string): Promise<string[]> {
  const dependents = new Set<string>();
  for (const c of await listAllConfigs(tx)) {
    if (c.flagKey !== key && (c.config.prerequisites ?? []).some((p) => p.flag === key))
      dependents.add(`${c.flagKey} (${c.environmentKey})`);
  }
  return [...dependents].sort();
}
