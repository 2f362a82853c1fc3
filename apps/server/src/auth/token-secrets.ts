import { createHash, randomBytes } from "node:crypto";

export const TokenKinds = {
  admin: "admin",
  server: "server",
  client: "client",
  deploy: "deploy",
  /** A pipeline's code checks: uploads code references and reads the stale-flag report, nothing else. */
  ci: "ci",
  /** A relay (issue #14): reads its environments' flags and streams, token hashes, and reports for the SDKs behind it. */
  relay: "relay",
} as const;
export type TokenKind = (typeof TokenKinds)[keyof typeof TokenKinds];
export const tokenKindList = Object.values(TokenKinds);

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomBase62(length: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** `sy_<kind>_<32 base62 chars>`: the prefix tells a leaked secret's kind at a glance (and to scanners). */
export function newTokenSecret(kind: TokenKind): string {
  return `sy_${kind}_${randomBase62(32)}`;
}

export function newTokenId(): string {
  return `tok_${randomBase62(16)}`;
}

/** Tokens are high-entropy, so a plain SHA-256 is the right hash (no password KDF needed). */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function tokenHint(secret: string): string {
  return secret.slice(-4);
}
