import { z } from "zod";
import { BUCKET_COUNT } from "../bucketing";
import { attributePathSchema } from "./attribute-path-schema";
import type { VariationRef } from "../variation-refs";

/**
 * A variation reference: its id (or, failing that, its name) as a string, or its index in
 * the flag's current order as a number (compatibility; the server stores the id it names).
 */
export const variationRefSchema = z.union([z.int().nonnegative().max(1000), z.string().min(1).max(64)], {
  error: "must be a variation id or name (string) or index (number)",
});

/** A serve as users send it; the server resolves its references to variation ids. */
export type ServeInput =
  | { variation: VariationRef }
  | { rollout: { bucketBy?: string | undefined; salt?: string | undefined; variations?: VariationRef[] | undefined; weights: number[] } };

export const rolloutSchema = z.strictObject({
  bucketBy: attributePathSchema.optional(),
  salt: z.string().max(256).optional(),
  /** The variation of each weight, in bucket order; without it, one weight per variation in the flag's order. */
  variations: z.array(variationRefSchema).min(1).max(100).optional(),
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
    variation: variationRefSchema.optional(),
    rollout: rolloutSchema.optional(),
  })
  .transform((serve, context): ServeInput => {
    if (serve.variation !== undefined && serve.rollout === undefined) return { variation: serve.variation };
    if (serve.rollout !== undefined && serve.variation === undefined) return { rollout: serve.rollout };
    context.issues.push({
      code: "custom",
      input: serve,
      message:
        serve.variation === undefined
          ? 'must have "variation" (an id, name or index) or "rollout"'
          : 'must have either "variation" or "rollout", not both',
    });
    return z.NEVER;
  });
