import { type ContextRecord, isInheritedName, readOwnAttribute } from "./context-attribute";

/**
 * Attribute paths: how a condition's `attribute`, and a rollout's `bucketBy`, name a value of
 * the context. The one syntax every SDK, the server and OFREP share:
 *
 * - Dot-separated keys: `user.email` is `context.user.email`. Inside a key, `\.` is a literal
 *   dot and `\\` a literal backslash (`user.first\.name` is `context.user["first.name"]`).
 * - Only objects are stepped through: an array, a string or a missing key on the way makes
 *   the attribute missing (`items.0` does not index an array). The value at the end may be an
 *   array, which operators read element by element as for a top-level attribute.
 * - A context whose top level has a key spelt exactly as the attribute is written is read
 *   there first: configs written before paths existed (an attribute named `app.version` on
 *   contexts that carry `"app.version"`) keep their meaning. `a\.b` reads the top-level
 *   `"a.b"` only, never `a` → `b`.
 * - `key` and `targetingKey` are the same attribute, the context's identity: `key` when the
 *   context has one, else `targetingKey` (OpenFeature's name for it).
 * - A path that is malformed (an empty key as in `a..b` or `.a`, a `\` before anything but `.`
 *   or `\`) is refused at the HTTP edge; the evaluator reads it as a top-level name only, as it
 *   read every attribute before paths existed.
 *
 * Paths are parsed when a flag or segment is compiled, never per evaluation.
 */

/** Reads one attribute of a context; `undefined` when the context lacks it. */
export type AttributeReader = (context: ContextRecord) => unknown;

export type ParsedAttributePath = { ok: true; keys: readonly string[] } | { ok: false; problem: string };

/** The keys of `path`, or why it is not a valid path. */
export function parseAttributePath(path: string): ParsedAttributePath {
  const keys: string[] = [];
  let current = "";
  for (let index = 0; index < path.length; index++) {
    const char = path[index];
    if (char === "\\") {
      const next = path[index + 1];
      if (next !== "." && next !== "\\") {
        const what = next === undefined ? "ends with a lone \\" : `has \\${next}`;
        return { ok: false, problem: `${what} at position ${index + 1}: inside a key write \\. for a dot and \\\\ for a backslash` };
      }
      current += next;
      index++;
    } else if (char === ".") {
      if (current === "") return { ok: false, problem: emptyKeyProblem(keys.length) };
      keys.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (current === "") return { ok: false, problem: emptyKeyProblem(keys.length) };
  keys.push(current);
  return { ok: true, keys };
}

function emptyKeyProblem(index: number): string {
  return `key ${index + 1} is empty: keys are separated by single dots (write \\. for a dot inside a key)`;
}

/** Why `path` is not a valid attribute path, for the edge's validation; `undefined` when it is. */
export function attributePathProblem(path: string): string | undefined {
  const parsed = parseAttributePath(path);
  return parsed.ok ? undefined : `invalid attribute path "${path}": ${parsed.problem}`;
}

/** The identity: `key`, or OpenFeature's `targetingKey` when the context has no `key`. */
export function readIdentity(context: ContextRecord): unknown {
  const key = context.key;
  return key !== undefined ? key : context.targetingKey;
}

function readNested(context: ContextRecord, keys: readonly string[]): unknown {
  let value: unknown = context;
  for (const key of keys) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    // Parsed boundary: a non-array object is a record of unknown values.
    value = readOwnAttribute(value as ContextRecord, key);
  }
  return value;
}

/** The keys `path` reads through, or `null` for a malformed path (read as a top-level name). */
export function attributePathKeys(path: string): readonly string[] | null {
  const parsed = parseAttributePath(path);
  return parsed.ok ? parsed.keys : null;
}

function topLevelReader(name: string): AttributeReader {
  if (isInheritedName(name)) return (context) => readOwnAttribute(context, name);
  return (context) => context[name];
}

/** Compiles `path` into a reader; see the top of this file for what it reads. */
export function compileAttributeReader(path: string): AttributeReader {
  if (path === "key" || path === "targetingKey") return readIdentity;
  // A plain top-level name (the common case) needs no parsing.
  if (path !== "" && !path.includes(".") && !path.includes("\\")) return topLevelReader(path);
  const keys = attributePathKeys(path);
  if (keys === null) return (context) => readOwnAttribute(context, path);
  return (context) => {
    const literal = readOwnAttribute(context, path);
    return literal !== undefined ? literal : readNested(context, keys);
  };
}
