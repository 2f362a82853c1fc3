import { type FlagConfig, indexedConfig, type StoredFlagConfig, storedConfig, type Variation } from "@switchyard/core";
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
import { type ConfigInput, resolveConfig } from "./variation-refs";

/** A config as users send it: variations by id, name or index. A stored config is one too. */
export type FlagConfigInput = ConfigInput;

export type FlagConfigPatch = Partial<FlagConfigInput>;

export interface FlagConfigView extends StoredFlagConfig {
  flag: string;
  environment: string;
  version: number;
  updatedAt: string;
}

export interface FlagConfigVersionView extends StoredFlagConfig {
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

/** A change to one flag config: what PUT, PATCH and restore ask for. */
export type ConfigChange =
  | { kind: "put"; input: FlagConfigInput }
  | { kind: "patch"; patch: FlagConfigPatch }
  | { kind: "restore"; version: number };

export function putFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  input: FlagConfigInput,
  options: WriteOptions,
) {
  return writeFlagConfig(deps, actor, flagKey, environmentKey, { kind: "put", input }, options);
}

export function patchFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  patch: FlagConfigPatch,
  options: WriteOptions,
) {
  return writeFlagConfig(deps, actor, flagKey, environmentKey, { kind: "patch", patch }, options);
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
  return writeFlagConfig(deps, actor, flagKey, environmentKey, { kind: "restore", version }, options);
}

/** The config a change proposes, from the current one (restore reads the old version). */
async function proposed(
  db: Db,
  flagKey: string,
  environmentKey: string,
  current: StoredFlagConfig,
  change: ConfigChange,
): Promise<Result<FlagConfigInput>> {
  if (change.kind === "put") return ok(change.input);
  if (change.kind === "patch") return ok({ ...current, prerequisites: current.prerequisites ?? [], ...definedFields(change.patch) });
  const old = await configsStore.getConfigVersion(db, flagKey, environmentKey, change.version);
  if (!old) return fail("NOT_FOUND", `Flag '${flagKey}' has no version ${change.version} in environment '${environmentKey}'`);
  return ok({ ...old.config, prerequisites: old.config.prerequisites ?? [] });
}

export interface PreparedConfig {
  flag: FlagRow;
  current: configsStore.FlagConfigRow;
  /** The current config, indexed against the flag's variations as they are now. */
  currentConfig: FlagConfig;
  /** The validated config the change would write (rule ids assigned), indexed. */
  config: FlagConfig;
  /** The same, as it would be stored (variations by id). */
  stored: StoredFlagConfig;
}

/**
 * Everything a write checks, without writing: the flag and config exist, the flag is not
 * archived, `If-Match` holds, and the proposed config is valid in the environment. Writes call
 * it in their transaction with `forUpdate`; `?dryRun=true` and previews call it as is.
 */
export async function prepareFlagConfig(
  db: Db,
  flagKey: string,
  environmentKey: string,
  change: ConfigChange,
  options: { expectedVersion?: number | undefined; forUpdate?: boolean } = {},
): Promise<Result<PreparedConfig>> {
  // Lock order everywhere: flag row, then config row.
  const flag = await getFlag(db, flagKey, { forUpdate: options.forUpdate ?? false });
  const current = await configsStore.getConfig(db, flagKey, environmentKey, { forUpdate: options.forUpdate ?? false });
  if (!flag || !current) return missing(db, flagKey, environmentKey);
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
  const next = await proposed(db, flagKey, environmentKey, current.config, change);
  if (!next.ok) return next;
  const input = next.value;
  const others = await prerequisiteVariations(db, input);
  const resolved = resolveConfig({ ...input, rules: assignRuleIds(input.rules) }, flag.key, flag.variations, (key) => others.get(key));
  const config = resolved.config;
  const issues = [...resolved.issues, ...(await checkReferences(db, flag, environmentKey, config, others))];
  if (issues.length > 0) return { ok: false, error: invalidConfig(issues) };
  const idsOf = (key: string) => others.get(key)?.map((v) => v.id);
  const ownIds = flag.variations.map((v) => v.id);
  return ok({
    flag,
    current,
    currentConfig: indexedConfig(current.config, ownIds, (key) => idsOf(key)),
    config,
    stored: storedConfig(config, ownIds, idsOf),
  });
}

/** The variations of every live flag a config names as a prerequisite (archived flags cannot be). */
async function prerequisiteVariations(db: Db, input: FlagConfigInput): Promise<Map<string, Variation[]>> {
  if (input.prerequisites.length === 0) return new Map();
  return new Map((await listFlags(db, { includeArchived: false })).map((f) => [f.key, f.variations] as const));
}

/** What a dry run answers: the config as the write would store it, with the version it would get. */
export function dryRunView(prepared: PreparedConfig, environmentKey: string): Omit<FlagConfigView, "updatedAt"> {
  return { flag: prepared.flag.key, environment: environmentKey, version: prepared.current.version + 1, ...prepared.stored };
}

async function writeFlagConfig(
  deps: ServiceDeps,
  actor: Actor,
  flagKey: string,
  environmentKey: string,
  change: ConfigChange,
  options: WriteOptions,
): Promise<Result<FlagConfigView>> {
  const action = change.kind === "restore" ? "flag-config.restore" : "flag-config.update";
  const auditExtra = change.kind === "restore" ? { restoredFrom: change.version } : {};
  return mutate(deps, async (tx, record) => {
    const prepared = await prepareFlagConfig(tx, flagKey, environmentKey, change, {
      expectedVersion: options.expectedVersion,
      forUpdate: true,
    });
    if (!prepared.ok) return prepared;
    const { current, stored } = prepared.value;
    const row = await configsStore.writeConfig(tx, {
      flagKey,
      environmentKey,
      version: current.version + 1,
      config: stored,
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

function invalidConfig(issues: Array<{ path: (string | number)[]; message: string }>) {
  return validationFailed(
    issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    "flag config",
  );
}

/** References are checked in the transaction; the lookups run only for what the config references. */
async function checkReferences(tx: Db, flag: FlagRow, environmentKey: string, config: FlagConfig, others: Map<string, Variation[]>) {
  const referencedSegments = new Set(config.rules.flatMap((r) => r.segments ?? []));
  const segmentKeys =
    referencedSegments.size === 0 ? new Set<string>() : new Set((await loadSegments(tx, referencedSegments)).map((s) => s.key));
  const prerequisites = config.prerequisites ?? [];
  const configs = prerequisites.length === 0 ? [] : await configsStore.listConfigsOfEnvironment(tx, environmentKey);
  // Archived flags are not served, so they cannot be prerequisites.
  const variationCounts = new Map([...others].map(([key, variations]) => [key, variations.length] as const));
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
  return issues;
}

async function missing(db: Db, flagKey: string, environmentKey: string): Promise<Result<never>> {
  if (!(await getFlag(db, flagKey))) return fail("NOT_FOUND", `Flag '${flagKey}' does not exist`);
  if (!(await getEnvironment(db, environmentKey))) return fail("NOT_FOUND", `Environment '${environmentKey}' does not exist`);
  return fail("NOT_FOUND", `Flag '${flagKey}' has no config in environment '${environmentKey}'`);
}
