import { z } from "zod";
import type { FlagMetadata, VariationValue } from "../types";
import { VARIATION_NAME_PATTERN } from "../variation-refs";

type VariationKind = "boolean" | "string" | "number" | "JSON";

function isJsonValue(value: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === "object") return Object.values(value).every((item) => isJsonValue(item, depth + 1));
  return false;
}

export function isVariationValue(value: unknown): value is VariationValue {
  return value !== null && isJsonValue(value, 0);
}

export function kindOf(value: VariationValue): VariationKind {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "string":
      return "string";
    case "number":
      return "number";
    default:
      return "JSON";
  }
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const variationSchema = z.custom<VariationValue>(isVariationValue, {
  error: "must be a non-null JSON value (boolean, string, number, object or array)",
});

/** A flag's variations: 1–100 distinct values of one kind (booleans, strings, numbers or JSON). */
export const variationsSchema = z
  .array(variationSchema)
  .min(1, { error: "a flag needs at least one variation" })
  .max(100)
  .superRefine((variations, context) => {
    const [first] = variations;
    if (first === undefined) return;
    const kind = kindOf(first);
    const seen = new Map<string, number>();
    variations.forEach((variation, index) => {
      const itsKind = kindOf(variation);
      if (itsKind !== kind) {
        context.addIssue({
          code: "custom",
          path: [index],
          message: `all variations must be of one type: variation 0 is a ${kind} value, this one is a ${itsKind} value`,
        });
        return;
      }
      const canonical = canonicalJson(variation);
      const duplicateOf = seen.get(canonical);
      if (duplicateOf !== undefined) {
        context.addIssue({ code: "custom", path: [index], message: `duplicate of variation ${duplicateOf}` });
      } else {
        seen.set(canonical, index);
      }
    });
  });

export const variationNameSchema = z
  .string()
  .regex(VARIATION_NAME_PATTERN, { error: "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit" });

/** One variation as users send it: `id` to keep (PATCH) an existing one, the rest to set. */
export const variationInputSchema = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: variationNameSchema.optional(),
  value: variationSchema,
  description: z.string().max(1000).optional(),
});
export type VariationInput = z.output<typeof variationInputSchema>;

const VARIATION_OBJECT_KEYS = new Set(["id", "name", "value", "description"]);

/** Variation objects rather than plain values: every item an object with `value` and only variation keys. */
function isVariationObjects(items: unknown[]): boolean {
  return (
    items.length > 0 &&
    items.every(
      (item) =>
        typeof item === "object" &&
        item !== null &&
        !Array.isArray(item) &&
        "value" in item &&
        Object.keys(item).every((key) => VARIATION_OBJECT_KEYS.has(key)),
    )
  );
}

/**
 * A flag's variations as users send them: objects (`{id?, name?, value, description?}`) or,
 * for compatibility, plain values. Either way 1–100 distinct values of one kind, unique names.
 * An array whose items all look like variation objects is read as such.
 */
export const variationListSchema = z
  .array(z.unknown())
  .max(100)
  // The JSON Schema (OpenAPI, and the fuzz suite that reads it) names both forms.
  .meta({
    description: "Variation objects ({id?, name?, value, description?}) or, for compatibility, plain values",
    anyOf: [
      {
        type: "array",
        maxItems: 100,
        items: {
          type: "object",
          properties: { id: { type: "string" }, name: { type: "string" }, value: {}, description: { type: "string" } },
          required: ["value"],
          additionalProperties: false,
        },
      },
      { type: "array", maxItems: 100, items: {} },
    ],
  })
  .transform((items, context): { form: "values"; values: VariationValue[] } | { form: "objects"; variations: VariationInput[] } => {
    if (!isVariationObjects(items)) {
      const parsed = variationsSchema.safeParse(items);
      if (parsed.success) return { form: "values", values: parsed.data };
      for (const issue of parsed.error.issues) context.addIssue({ ...issue, code: "custom", message: issue.message });
      return z.NEVER;
    }
    const parsed = z.array(variationInputSchema).safeParse(items);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) context.addIssue({ ...issue, code: "custom", message: issue.message });
      return z.NEVER;
    }
    const values = variationsSchema.safeParse(parsed.data.map((variation) => variation.value));
    if (!values.success) {
      for (const issue of values.error.issues) context.addIssue({ code: "custom", path: [...issue.path, "value"], message: issue.message });
    }
    const names = new Map<string, number>();
    const ids = new Set<string>();
    parsed.data.forEach((variation, index) => {
      if (variation.name !== undefined) {
        const first = names.get(variation.name);
        if (first !== undefined)
          context.addIssue({ code: "custom", path: [index, "name"], message: `duplicate of variation ${first}'s name` });
        else names.set(variation.name, index);
      }
      if (variation.id !== undefined) {
        if (ids.has(variation.id))
          context.addIssue({ code: "custom", path: [index, "id"], message: `variation id "${variation.id}" is listed twice` });
        ids.add(variation.id);
      }
    });
    return { form: "objects", variations: parsed.data };
  });
export type VariationListInput = z.output<typeof variationListSchema>;

export const MAX_METADATA_KEYS = 32;

/** A flag's metadata: up to 32 keys of 1–64 characters, values strings (≤ 500), finite numbers or booleans. */
export const flagMetadataSchema = z
  .record(
    z.string(),
    z.union([z.string().max(500, { error: "metadata strings are at most 500 characters" }), z.number(), z.boolean()], {
      error: "metadata values must be strings, numbers or booleans",
    }),
  )
  .superRefine((metadata, context) => {
    const keys = Object.keys(metadata);
    if (keys.length > MAX_METADATA_KEYS) context.addIssue({ code: "custom", message: `at most ${MAX_METADATA_KEYS} metadata keys` });
    for (const key of keys) {
      if (key.length === 0 || key.length > 64 || key === "__proto__") {
        context.addIssue({ code: "custom", path: [key], message: 'metadata keys are 1–64 characters, and not "__proto__"' });
      }
    }
  })
  .transform((metadata): FlagMetadata => metadata);
