import { z } from "zod";

/** Flag keys (also segment and environment keys): lowercase, URL-safe, 1–100 characters. */
export const FLAG_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export const flagKeySchema = z.string().regex(FLAG_KEY_PATTERN, {
  error: "must be 1–100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit",
});

export const RULE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const ruleIdSchema = z.string().regex(RULE_ID_PATTERN, { error: "must be 1–64 characters of A-Z, a-z, 0-9, '_' or '-'" });
