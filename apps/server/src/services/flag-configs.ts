import type { FlagConfig, Prerequisite, Rule, Serve } from "@switchyard/core";
import { findPrerequisiteCycle, validateFlagConfig } from "@switchyard/core/schema";
import { fail, formatPath, ok, validationFailed, type Result } from "../errors";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import { getEnvironment } from "../store/environments";
import * as configsStore from "../store/flag-configs";
import { getFlag, listFlags, type FlagRow } from "../store/flags";
import { loadSegments } from "../store/snapshots";
import { mutate, type ServiceDeps } from "./mutation";
import { assignRuleIds } from "./rule-ids";

export interface FlagConfigInput {
  enabled: boolean;
  offVariation?: number | undefined;
  rules: Array<Omit<Rule, "id"> & { id?: string | undefined }>;
  fallthrough: Serve;
  prerequisites: Prerequisite[];
}

export type FlagConfigPatch = Partial<FlagConfigInput>;

export interface FlagConfigView extends FlagConfig {
  flag: string;
  environment: string;
  version: number;
  updatedAt: string;
}

export interface FlagConfigVersionView extends FlagConfig {
  flag: string;
  environment: string;
  version: number;
  createdAt: string;
  actor: { tokenId: string | null; name: string | null };
  comment: string | null;
}

export interface WriteOptions {
  /** The version the client last saw (`If-Match`); a write against another version is refused. */
  expectedVersion?: number | undefined;
  comment: string | null;
  deployId?: string | null;
}

const view = (row: configsStore.FlagConfigRow): FlagConfigView => ({
  flag: row.flagKey,
  environment: row.environmentKey,
  version: row.version,
  ...row.config,
  updatedAt: row.updatedAt.toISOString(),
});

const versionView = (row: configsStore.FlagConfigVersionRow): FlagConfigVersionView => ({
  flag: row.flagKey,
  environment: row.environmentKey,
  version: row.version,
  ...row.config,
  createdAt: row.createdAt.toISOString(),
  actor: { tokenId: row.actorTokenId, name: row.actorName },
  comment: row.comment,
});

export async function getFlagConfig(deps: ServiceDeps, flagKey: string, environmentKey: string): Promise<Result<FlagConfigView>> {
  const row = await configsStore.getConfig(deps.db, flagKey, environmentKey);
  if (row) return ok(view(row));
  return missing(deps.db, flagKey, environmentKey);
}

export async function listFlagConfigVersions(
  deps: ServiceDeps,
  flagKey: string,
  environmentKey: string,
  page: { limit: number; offset: number },
): Promise<Result<FlagConfigVersionView[]>> {
  const current = await configsStore.getConfig(deps.db, flagKey, environmentKey);
  if (!current) return missing(deps.db, flagKey, environmentKey);
  return ok((await configsStore.listConfigVersions(deps.db, flagKey, environmentKey, page)).map(versionView));
}

export function putFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  input: FlagConfigInput,
  options: WriteOptions,
) {
  return writeFlagConfig(deps, actor, flagKey, environmentKey, options, "flag-config.update", () => ok(input));
}

export function patchFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  patch: FlagConfigPatch,
  options: WriteOptions,
) {
  return writeFlagConfig(deps, actor, flagKey, environmentKey, options, "flag-config.update", (current) => {
    const merged: FlagConfigInput = { ...current, prerequisites: current.prerequisites ?? [], ...definedFields(patch) };
    return ok(merged);
  });
}

/** Restoring makes a new version equal to version n (validated again: a segment may be gone since). */
export function restoreFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  version: number,
  options: WriteOptions,
) {
  return writeFlagConfig(
    deps,
    actor,
    flagKey,
    environmentKey,
    options,
    "flag-config.restore",
    async (_current, tx) => {
      const old = await configsStore.getConfigVersion(tx, flagKey, environmentKey, version);
      if (!old) return fail("NOT_FOUND", `Flag '${flagKey}' has no version ${version} in environment '${environmentKey}'`);
      return ok<FlagConfigInput>({ ...old.config, prerequisites: old.config.prerequisites ?? [] });
    },
    { restoredFrom: version },
  );
}

async function writeFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  options: WriteOptions,
  action: string,
  next: (current: FlagConfig, tx: Db) => Result<FlagConfigInput> | Promise<Result<FlagConfigInput>>,
  auditExtra: Record<string, unknown> = {},
): Promise<Result<FlagConfigView>> {
  return mutate(deps, async (tx, record) => {
    // Lock order everywhere: flag row, then config row.
    const flag = await getFlag(tx, flagKey, { forUpdate: true });
    const current = await configsStore.getConfig(tx, flagKey, environmentKey, { forUpdate: true });
    if (!flag || !current) return missing(tx, flagKey, environmentKey);
    if (flag.archivedAt !== null)
      return fail(
        "CONFLICT",
        `Flag '${flagKey}' is archived; unarchive it (PATCH /api/flags/${flagKey} {"archived": false}) before changing its configs`,
      );
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      return fail(
        "VERSION_CONFLICT",
        `Flag '${flagKey}' in '${environmentKey}' is at version ${current.version}, not ${options.expectedVersion}; reload it and apply your change again`,
        { currentVersion: current.version },
      );
    }
    const proposed = await next(current.config, tx);
    if (!proposed.ok) return proposed;
    const config = withRuleIds(proposed.value, flag);
    const invalid = await checkReferences(tx, flag, environmentKey, config);
    if (invalid) return { ok: false, error: invalid };
    const row = await configsStore.writeConfig(tx, {
      flagKey,
      environmentKey,
      version: current.version + 1,
      config,
      actor,
      comment: options.comment,
    });
    await record.audit({
      actor,
      action,
      resourceType: "flag-config",
      resourceKey: `${flagKey}/${environmentKey}`,
      flagKey,
      environmentKey,
      before: { version: current.version, ...current.config },
      after: { version: row.version, ...row.config, ...auditExtra },
      comment: options.comment,
      deployId: options.deployId ?? null,
    });
    record.change({ environmentKey, entity: "flag-config", key: flagKey });
    return ok(view(row));
  });
}

function definedFields(patch: FlagConfigPatch): FlagConfigPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}

function withRuleIds(input: FlagConfigInput, flag: FlagRow): FlagConfig {
  const rules = assignRuleIds(input.rules);
  const offVariation = input.offVariation ?? Math.max(0, flag.variations.indexOf(false));
  return { enabled: input.enabled, offVariation, rules, fallthrough: input.fallthrough, prerequisites: input.prerequisites };
}

/** References are checked in the transaction; the lookups run only for what the config references. */
async function checkReferences(tx: Db, flag: FlagRow, environmentKey: string, config: FlagConfig) {
  const referencedSegments = new Set(config.rules.flatMap((r) => r.segments ?? []));
  const segmentKeys =
    referencedSegments.size === 0 ? new Set<string>() : new Set((await loadSegments(tx, referencedSegments)).map((s) => s.key));
  const prerequisites = config.prerequisites ?? [];
  const configs = prerequisites.length === 0 ? [] : await configsStore.listConfigsOfEnvironment(tx, environmentKey);
  // Archived flags are not served, so they cannot be prerequisites.
  const variationCounts = new Map(
    prerequisites.length === 0 ? [] : (await listFlags(tx, { includeArchived: false })).map((f) => [f.key, f.variations.length] as const),
  );
  const issues = validateFlagConfig(config, {
    flagKey: flag.key,
    variationCount: flag.variations.length,
    segmentExists: (key) => segmentKeys.has(key),
    flagExists: (key) => variationCounts.has(key),
    variationCountOf: (key) => variationCounts.get(key),
  });
  if (issues.length === 0 && prerequisites.length > 0) {
    const graph = new Map(configs.map((c) => [c.flagKey, (c.config.prerequisites ?? []).map((p) => p.flag)]));
    graph.set(
      flag.key,
      prerequisites.map((p) => p.flag),
    );
    const cycle = findPrerequisiteCycle(flag.key, graph);
    if (cycle) issues.push({ path: ["prerequisites"], message: `prerequisites form a cycle: ${cycle.join(" → ")}` });
  }
  if (issues.length === 0) return undefined;
  return validationFailed(
    issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    "flag config",
  );
}

async function missing(db: Db, flagKey: string, environmentKey: string): Promise<Result<never>> {
  if (!(await getFlag(db, flagKey))) return fail("NOT_FOUND", `Flag '${flagKey}' does not exist`);
  if (!(await getEnvironment(db, environmentKey))) return fail("NOT_FOUND", `Environment '${environmentKey}' does not exist`);
  return fail("NOT_FOUND", `Flag '${flagKey}' has no config in environment '${environmentKey}'`);
}
