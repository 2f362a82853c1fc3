import { z } from "zod";

/**
 * An evaluation context at the HTTP edge: any JSON object; `key` (and OpenFeature's
 * `targetingKey`) must be strings when present. Map `targetingKey` with `normalizeContext`.
 */
export const contextSchema = z.looseObject({
  key: z.string({ error: "the context key must be a string" }).max(1024).optional(),
  targetingKey: z.string({ error: "targetingKey must be a string" }).max(1024).optional(),
});
