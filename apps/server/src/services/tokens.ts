import { hashToken, newTokenId, newTokenSecret, tokenHint, type TokenKind } from "../auth/token-secrets";
import { fail, ok, type Result } from "../errors";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import { getEnvironment } from "../store/environments";
import * as tokensStore from "../store/tokens";
import { mutate, type ServiceDeps, type WriteRecorder } from "./mutation";

export interface TokenInput {
  name: string;
  kind: TokenKind;
  environment?: string | undefined;
  /** A relay token's environments (and only a relay token's). */
  environments?: string[] | undefined;
}

export interface TokenView {
  id: string;
  name: string;
  kind: TokenKind;
  environment: string | null;
  /** Relay tokens only: the environments the relay serves. */
  environments?: string[];
  /** The secret's last characters, to tell tokens apart. */
  hint: string;
  createdAt: string;
  createdBy: string | null;
}

/** Only the creation response carries the secret; it is never stored or shown again. */
export interface CreatedToken extends TokenView {
  token: string;
}

const view = (row: tokensStore.TokenRow): TokenView => ({
  id: row.id,
  name: row.name,
  // The kind column is only written from TokenKinds.
  kind: row.kind as TokenKind,
  environment: row.environmentKey,
  ...(row.kind === "relay" ? { environments: row.environmentKeys ?? [] } : {}),
  hint: row.hint,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
});

export async function listTokens(deps: ServiceDeps): Promise<TokenView[]> {
  return (await tokensStore.listTokens(deps.db)).map(view);
}

export function createToken(deps: ServiceDeps, actor: Actor, input: TokenInput): Promise<Result<CreatedToken>> {
  return mutate(deps, async (tx, record) => {
    const refused = scopeProblem(input);
    if (refused) return refused;
    for (const [path, key] of namedEnvironments(input)) {
      if (!(await getEnvironment(tx, key))) {
        return fail("VALIDATION_FAILED", `Environment '${key}' does not exist`, [{ path, message: `environment '${key}' does not exist` }]);
      }
    }
    return ok(await insertToken(tx, record, actor, input, newTokenSecret(input.kind)));
  });
}

/** Which of `environment` / `environments` the kind takes: admin and ci none, relay a list, the others one. */
function scopeProblem(input: TokenInput): Result<never> | undefined {
  if (input.kind === "relay") {
    if (input.environment !== undefined)
      return fail("VALIDATION_FAILED", "A relay token serves a list of environments; set 'environments', not 'environment'", [
        { path: "environment", message: "must be omitted for relay tokens (use 'environments')" },
      ]);
    if (input.environments === undefined)
      return fail("VALIDATION_FAILED", "A relay token serves a list of environments; set 'environments'", [
        { path: "environments", message: "required for relay tokens" },
      ]);
    return undefined;
  }
  if (input.environments !== undefined)
    return fail("VALIDATION_FAILED", `Only relay tokens take 'environments'; leave it out for ${input.kind} tokens`, [
      { path: "environments", message: `must be omitted for ${input.kind} tokens` },
    ]);
  // Admin and ci tokens span every environment (code references and the stale report are global).
  const global = input.kind === "admin" || input.kind === "ci";
  if (global && input.environment !== undefined) {
    return fail(
      "VALIDATION_FAILED",
      `A${input.kind === "admin" ? "n" : ""} ${input.kind} token spans every environment; leave out 'environment'`,
      [{ path: "environment", message: `must be omitted for ${input.kind} tokens` }],
    );
  }
  if (!global && input.environment === undefined) {
    return fail("VALIDATION_FAILED", `A ${input.kind} token belongs to one environment; set 'environment'`, [
      { path: "environment", message: `required for ${input.kind} tokens` },
    ]);
  }
  return undefined;
}

/** Each environment the input names, with the path of the field naming it. */
function namedEnvironments(input: TokenInput): Array<[string, string]> {
  if (input.environment !== undefined) return [["environment", input.environment]];
  return (input.environments ?? []).map((key, i) => [`environments[${i}]`, key]);
}

/** Also used at first start, with a secret that may come from SWITCHYARD_ADMIN_TOKEN. */
export async function insertToken(tx: Db, record: WriteRecorder, actor: Actor, input: TokenInput, secret: string): Promise<CreatedToken> {
  const row = await tokensStore.insertToken(tx, {
    id: newTokenId(),
    name: input.name,
    kind: input.kind,
    environmentKey: input.environment ?? null,
    environmentKeys: input.environments ?? null,
    tokenHash: hashToken(secret),
    hint: tokenHint(secret),
    createdBy: actor.name,
  });
  const created = view(row);
  await record.audit({
    actor,
    action: "token.create",
    resourceType: "token",
    resourceKey: row.id,
    environmentKey: row.environmentKey,
    after: created,
  });
  record.change({ environmentKey: null, entity: "token", key: row.id });
  return { ...created, token: secret };
}

/** The last admin token cannot be deleted: nobody could manage the server afterwards. */
export function deleteToken(deps: ServiceDeps, actor: Actor, id: string): Promise<Result<TokenView>> {
  return mutate(deps, async (tx, record) => {
    const existing = await tokensStore.getToken(tx, id);
    if (!existing) return fail("NOT_FOUND", `Token '${id}' does not exist`);
    if (existing.kind === "admin" && (await tokensStore.countAdminTokens(tx)) <= 1) {
      return fail("CONFLICT", "This is the last admin token; create another admin token before deleting it");
    }
    const row = await tokensStore.deleteToken(tx, id);
    if (!row) return fail("NOT_FOUND", `Token '${id}' does not exist`);
    const before = view(row);
    await record.audit({
      actor,
      action: "token.delete",
      resourceType: "token",
      resourceKey: id,
      environmentKey: row.environmentKey,
      before,
    });
    record.change({ environmentKey: null, entity: "token", key: id, deleted: true });
    return ok(before);
  });
}
