import type { Context, MiddlewareHandler } from "hono";
import { hashToken } from "../auth/token-secrets";
import { AppError } from "../errors";
import type { Operation } from "../openapi/operations";
import type { AuthToken } from "../live/live-state";
import type { AppEnv } from "./app-env";

export interface TokenLookup {
  tokenByHash(hash: string): AuthToken | undefined;
}

interface CompiledOperation {
  operation: Operation;
  pattern: RegExp;
  /** The path parameters' names, in the order the pattern captures them. */
  params: string[];
}

function compile(operation: Operation): CompiledOperation {
  const params: string[] = [];
  const source = operation.path
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (param === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(param);
      return "([^/]+)";
    })
    .join("/");
  return { operation, pattern: new RegExp(`^${source}/?$`), params };
}

/** A path segment as Hono reads it; a malformed escape names no environment. */
function decodeSegment(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

const article = (kind: string) => (kind === "admin" ? "an" : "a");

const relayScope = (token: AuthToken) => (token.environmentKeys ?? []).map((key) => `'${key}'`).join(", ");

function bearerSecret(header: string | undefined, query: string | undefined, allowQuery: boolean): string | undefined {
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new AppError("UNAUTHORIZED", "The Authorization header must be 'Bearer <token>'");
    return match[1];
  }
  return allowQuery ? query : undefined;
}

/**
 * Who may call what, enforced from the route table (openapi/operations.ts) and nowhere else:
 * the token kinds an operation lists, and for `scope: "path"` the `{env}` it names must be a
 * non-admin token's own environment (for a relay token, one of its environments). A request under the table's prefixes that matches no
 * operation is a 404 here, so a route the table does not declare cannot be reached at all.
 *
 * `Authorization: Bearer <token>`, looked up in memory by hash (no database round trip). Missing
 * or unknown → 401; another kind → 403. `queryToken` operations also take `?token=` (browser
 * EventSource cannot set headers).
 */
export function authorizeFromTable(operations: readonly Operation[], lookup: TokenLookup): MiddlewareHandler<AppEnv> {
  const compiled = operations.map(compile);
  return async (c, next) => {
    // CORS preflights carry no token: the routes' CORS middleware answers them (elsewhere, a 404).
    if (c.req.method === "OPTIONS") return next();
    const method = c.req.method === "HEAD" ? "get" : c.req.method.toLowerCase();
    let found: { entry: CompiledOperation; values: string[] } | undefined;
    for (const entry of compiled) {
      if (entry.operation.method !== method) continue;
      const match = entry.pattern.exec(c.req.path);
      if (match !== null) {
        found = { entry, values: match.slice(1) };
        break;
      }
    }
    if (found === undefined) throw new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`);
    const { operation } = found.entry;
    if (operation.tokens.length === 0) return next();
    try {
      c.set("token", admitted(c, operation, found.entry.params, found.values, lookup));
    } catch (error) {
      // A web page on another origin must be able to read that its token was refused.
      if (operation.anyOrigin === true) c.header("Access-Control-Allow-Origin", "*");
      throw error;
    }
    await next();
  };
}

function admitted(c: Context<AppEnv>, operation: Operation, params: string[], values: string[], lookup: TokenLookup): AuthToken {
  const secret = bearerSecret(c.req.header("authorization"), c.req.query("token"), operation.queryToken === true);
  if (secret === undefined) throw new AppError("UNAUTHORIZED", "This endpoint needs an API token: send 'Authorization: Bearer <token>'");
  const token = lookup.tokenByHash(hashToken(secret));
  if (!token) throw new AppError("UNAUTHORIZED", "The API token is unknown or was deleted");
  if (!operation.tokens.includes(token.kind)) {
    const wanted = operation.tokens.map((k) => `${article(k)} ${k} token`).join(" or ");
    throw new AppError("FORBIDDEN", `This endpoint needs ${wanted}; '${token.name}' is ${article(token.kind)} ${token.kind} token`);
  }
  if (operation.scope === "path" && token.kind !== "admin") {
    const index = params.indexOf("env");
    const env = index < 0 ? undefined : decodeSegment(values[index] ?? "");
    if (token.kind === "relay") {
      if (env === undefined || !(token.environmentKeys ?? []).includes(env))
        throw new AppError("FORBIDDEN", `'${token.name}' is a relay token of ${relayScope(token)}, not of '${env ?? "?"}'`);
    } else if (env !== token.environmentKey) {
      throw new AppError(
        "FORBIDDEN",
        `'${token.name}' is ${article(token.kind)} ${token.kind} token of '${token.environmentKey ?? "?"}', not of '${env ?? "?"}'`,
      );
    }
  }
  return token;
}
