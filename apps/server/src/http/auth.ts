import type { MiddlewareHandler } from "hono";
import { hashToken, type TokenKind } from "../auth/token-secrets";
import { AppError } from "../errors";
import type { AuthToken } from "../services/live-state";
import type { AppEnv } from "./app-env";

export interface TokenLookup {
  tokenByHash(hash: string): AuthToken | undefined;
}

const article = (kind: string) => (kind === "admin" ? "an" : "a");

/**
 * `Authorization: Bearer <token>`, looked up in memory by hash (no database round trip).
 * Missing or unknown → 401; a token of another kind → 403. `allowQueryToken` is for browser
 * EventSource, which cannot set headers.
 */
export function requireToken(kinds: readonly TokenKind[], options: { allowQueryToken?: boolean } = {}) {
  return (lookup: TokenLookup): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      const header = c.req.header("authorization");
      let secret: string | undefined;
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
        if (!match?.[1]) throw new AppError("UNAUTHORIZED", "The Authorization header must be 'Bearer <token>'");
        secret = match[1];
      } else if (options.allowQueryToken) {
        secret = c.req.query("token");
      }
      if (secret === undefined)
        throw new AppError("UNAUTHORIZED", "This endpoint needs an API token: send 'Authorization: Bearer <token>'");
      const token = lookup.tokenByHash(hashToken(secret));
      if (!token) throw new AppError("UNAUTHORIZED", "The API token is unknown or was deleted");
      if (!kinds.includes(token.kind)) {
        const wanted = kinds.map((k) => `${article(k)} ${k} token`).join(" or ");
        throw new AppError("FORBIDDEN", `This endpoint needs ${wanted}; '${token.name}' is ${article(token.kind)} ${token.kind} token`);
      }
      c.set("token", token);
      await next();
    };
}

export const adminOnly = requireToken(["admin"]);
export const serverOnly = requireToken(["server"]);
export const clientOnly = requireToken(["client"], { allowQueryToken: true });
