import { fail, ok, type Result } from "../errors";
import type { Actor } from "../store/audit";
import * as environmentsStore from "../store/environments";
import { listFlags } from "../store/flags";
import { writeConfig } from "../store/flag-configs";
import { deleteSeenContexts } from "../store/seen-contexts";
import { defaultConfig } from "./flag-defaults";
import { mutate, type ServiceDeps } from "./mutation";

export interface EnvironmentView {
  key: string;
  name: string;
  /** Where deploy decisions are POSTed; the secret is never shown, only whether one is set. */
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  /** Whether a sample of evaluated contexts is kept for previews. */
  seenContexts: boolean;
  /** Writes flipping more than this share of seen evaluations need `"confirm": true`; null: never asked. */
  confirmFlipShare: number | null;
  /** A production environment refuses rollback rehearsals unless one is explicitly allowed. */
  production: boolean;
  createdAt: string;
  updatedAt: string;
}

const view = (row: environmentsStore.EnvironmentRow): EnvironmentView => ({
  key: row.key,
  name: row.name,
  webhookUrl: row.webhookUrl,
  webhookSecretSet: row.webhookSecret !== null,
  seenContexts: row.seenContextsEnabled,
  confirmFlipShare: row.confirmFlipShare,
  production: row.production,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export async function listEnvironments(deps: ServiceDeps): Promise<EnvironmentView[]> {
  return (await environmentsStore.listEnvironments(deps.db)).map(view);
}

export async function getEnvironment(deps: ServiceDeps, key: string): Promise<Result<EnvironmentView>> {
  const row = await environmentsStore.getEnvironment(deps.db, key);
  return row ? ok(view(row)) : fail("NOT_FOUND", `Environment '${key}' does not exist`);
}

/** A new environment gets every existing flag, off, so flags stay "one config per environment". */
export function createEnvironment(
  deps: ServiceDeps,
  actor: Actor,
  input: { key: string; name: string; production?: boolean | undefined },
): Promise<Result<EnvironmentView>> {
  return mutate(deps, async (tx, record) => {
    const row = await environmentsStore.insertEnvironment(tx, { key: input.key, name: input.name, production: input.production ?? false });
    if (!row) return fail("CONFLICT", `Environment '${input.key}' already exists`);
    for (const flag of await listFlags(tx, { includeArchived: true })) {
      await writeConfig(tx, {
        flagKey: flag.key,
        environmentKey: row.key,
        version: 1,
        config: defaultConfig(flag.variations),
        actor,
        comment: `environment '${row.key}' created`,
      });
    }
    const after = view(row);
    await record.audit({
      actor,
      action: "environment.create",
      resourceType: "environment",
      resourceKey: row.key,
      environmentKey: row.key,
      after,
    });
    record.change({ environmentKey: row.key, entity: "environment", key: row.key });
    return ok(after);
  });
}

/** The store's patch, with the API's name for the sampling switch. */
export type EnvironmentPatch = Omit<environmentsStore.EnvironmentPatch, "seenContextsEnabled"> & { seenContexts?: boolean | undefined };

export function updateEnvironment(deps: ServiceDeps, actor: Actor, key: string, patch: EnvironmentPatch): Promise<Result<EnvironmentView>> {
  return mutate(deps, async (tx, record) => {
    const before = await environmentsStore.getEnvironment(tx, key);
    if (!before) return fail("NOT_FOUND", `Environment '${key}' does not exist`);
    const { seenContexts, ...fields } = patch;
    const row = await environmentsStore.updateEnvironment(tx, key, { ...fields, seenContextsEnabled: seenContexts });
    // Off means nothing kept, not only nothing added.
    if (seenContexts === false) await deleteSeenContexts(tx, key);
    if (!row) return fail("NOT_FOUND", `Environment '${key}' does not exist`);
    const after = view(row);
    await record.audit({
      actor,
      action: "environment.update",
      resourceType: "environment",
      resourceKey: key,
      environmentKey: key,
      before: view(before),
      after,
    });
    record.change({ environmentKey: key, entity: "environment", key });
    return ok(after);
  });
}

/** Deleting an environment deletes its flag configs, their history and its tokens. */
export function deleteEnvironment(deps: ServiceDeps, actor: Actor, key: string): Promise<Result<EnvironmentView>> {
  return mutate(deps, async (tx, record) => {
    const row = await environmentsStore.deleteEnvironment(tx, key);
    if (!row) return fail("NOT_FOUND", `Environment '${key}' does not exist`);
    const before = view(row);
    await record.audit({ actor, action: "environment.delete", resourceType: "environment", resourceKey: key, environmentKey: key, before });
    record.change({ environmentKey: key, entity: "environment", key, deleted: true });
    return ok(before);
  });
}
