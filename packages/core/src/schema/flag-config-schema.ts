import { z } from "zod";
import { conditionSchema } from "./condition-schema";
import { flagKeySchema, ruleIdSchema } from "./keys-schema";
import { serveSchema, variationRefSchema } from "./serve-schema";

/** A rule as users send it; the server assigns an id when it is missing. */
export const ruleInputSchema = z.strictObject({
  id: ruleIdSchema.optional(),
  description: z.string().max(1000).optional(),
  conditions: z.array(conditionSchema).max(100).default([]),
  segments: z.array(flagKeySchema).max(50).optional(),
  serve: serveSchema,
});

export const prerequisiteSchema = z.strictObject({
  flag: flagKeySchema,
  variation: variationRefSchema,
});

/**
 * A flag config as users send it (PUT), variations referred to by id, name or index. Checks that
 * need the flag or the environment — references that exist, segments and prerequisites that exist, duplicate rule ids, cycles — are
 * `validateFlagConfig`'s. No refinement here, so the server may `.extend()` / `.partial()` it.
 */
export const flagConfigInputSchema = z.strictObject({
  enabled: z.boolean(),
  offVariation: variationRefSchema.optional(),
  rules: z.array(ruleInputSchema).max(500).default([]),
  fallthrough: serveSchema,
  prerequisites: z.array(prerequisiteSchema).max(50).default([]),
});

export type RuleInput = z.output<typeof ruleInputSchema>;
export type FlagConfigInput = z.output<typeof flagConfigInputSchema>;
