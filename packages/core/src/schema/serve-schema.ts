import { z } from "zod";
import { BUCKET_COUNT } from "../bucketing";
import { attributePathSchema } from "./attribute-path-schema";
import type { Serve } from "../types";

export const rolloutSchema = z.strictObject({
  bucketBy: attributePathSchema.optional(),
  salt: z.string().max(256).optional(),
  weights: z
    .array(z.int().nonnegative())
    .min(1)
    .max(100)
    .superRefine((weights, context) => {
      const sum = weights.reduce((total, weight) => total + weight, 0);
      if (sum !== BUCKET_COUNT) {
        context.addIssue({
          code: "custom",
          message: `weights are thousandths of a percent and must sum to ${BUCKET_COUNT}; they sum to ${sum}`,
        });
      }
    }),
});

/** `{ variation }` or `{ rollout }`, exactly one; parsed into the `Serve` union. */
export const serveSchema = z
  .strictObject({
    variation: z.int().nonnegative().optional(),
    rollout: rolloutSchema.optional(),
  })
  .transform((serve, context): Serve => {
    if (serve.variation !== undefined && serve.rollout === undefined) return { variation: serve.variation };
    if (serve.rollout !== undefined && serve.variation === undefined) return { rollout: serve.rollout };
    context.issues.push({
      code: "custom",
      input: serve,
      message:
        serve.variation === undefined
          ? 'must have "variation" (an index) or "rollout"'
          : 'must have either "variation" or "rollout", not both',
    });
    return z.NEVER;
  });
