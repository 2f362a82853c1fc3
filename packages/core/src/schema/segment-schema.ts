import { z } from "zod";
import { conditionSchema } from "./condition-schema";
import { flagKeySchema, ruleIdSchema } from "./keys-schema";

const contextKeysSchema = z.array(z.string().min(1).max(256)).max(100_000).default([]);

export const segmentRuleInputSchema = z.strictObject({
  id: ruleIdSchema.optional(),
  conditions: z.array(conditionSchema).min(1, { error: "a segment rule needs at least one condition" }).max(100),
});

export const segmentInputSchema = z
  .strictObject({
    key: flagKeySchema,
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    included: contextKeysSchema,
    excluded: contextKeysSchema,
    rules: z.array(segmentRuleInputSchema).max(500).default([]),
  })
  .superRefine((segment, context) => {
    const included = new Set(segment.included);
    segment.excluded.forEach((key, index) => {
      if (included.has(key)) {
        context.addIssue({
          code: "custom",
          path: ["excluded", index],
          message: `"${key}" is also included; a key may be included or excluded, not both`,
        });
      }
    });
    const ruleIds = new Map<string, number>();
    segment.rules.forEach((rule, index) => {
      if (rule.id === undefined) return;
      const first = ruleIds.get(rule.id);
      if (first === undefined) ruleIds.set(rule.id, index);
      else
        context.addIssue({
          code: "custom",
          path: ["rules", index, "id"],
          message: `duplicate rule id "${rule.id}" (also rules[${first}])`,
        });
    });
  });

export type SegmentInput = z.output<typeof segmentInputSchema>;
