import { z } from "zod";
import type { VariationValue } from "../types";

type VariationKind = "boolean" | "string" | "number" | "JSON";

function isJsonValue(value: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === "object") return Object.values(value).every((item) => isJsonValue(item, depth + 1));
  return false;
}

function isVariationValue(value: unknown): value is VariationValue {
  return value !== null && isJsonValue(value, 0);
}

function kindOf(value: VariationValue): VariationKind {
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
function canonicalJson(value: unknown): string {
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
