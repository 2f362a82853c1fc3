import type { EvaluatedFlags } from "./client-types";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The `flags` of an evaluate answer, a stream event or a cache entry, or undefined when the body
 * is not shaped like one. Entries are checked lazily by `flagDetail`, which never trusts them:
 * a full parse would cost bytes on every page for a server that is ours.
 */
export function flagsOf(body: unknown): EvaluatedFlags | undefined {
  if (!isRecord(body) || !isRecord(body["flags"])) return undefined;
  // Parsed boundary: the object's shape is checked above, its entries on every read.
  return body["flags"] as EvaluatedFlags;
}

/** The `deleted` keys of a stream `patch`. */
export function deletedOf(body: unknown): string[] {
  const deleted = isRecord(body) ? body["deleted"] : undefined;
  return Array.isArray(deleted) ? deleted.filter((key): key is string => typeof key === "string") : [];
}
