import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./app-env";
import { AppError, formatPath, validationFailed, type Issue } from "../errors";

export function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * Every JSON body goes through here. The body is parsed whatever the Content-Type says (curl's
 * `-d` sends form encoding by default, and refusing that helps nobody), then checked by `schema`.
 */
export async function readJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S, what: string): Promise<z.output<S>> {
  const text = await c.req.text();
  if (text.trim() === "") throw new AppError("INVALID_JSON", `The request body is empty; send the ${what} as JSON`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unparseable";
    throw new AppError("INVALID_JSON", `The request body is not valid JSON: ${reason}`);
  }
  const problem = jsonShapeProblem(data);
  if (problem) throw validationFailed([problem], what);
  return parseValue(schema, data, what);
}

export const MAX_JSON_DEPTH = 32;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What PostgreSQL cannot store in text or jsonb: U+0000, and UTF-16 surrogates that encode no character. */
export function unstorableTextProblem(text: string): string | undefined {
  if (text.includes("\0")) return "must not contain the NUL character (\\u0000)";
  const surrogate = UNPAIRED_SURROGATE.exec(text);
  if (surrogate)
    return `must not contain an unpaired UTF-16 surrogate (\\u${surrogate[0].charCodeAt(0).toString(16)} at index ${surrogate.index})`;
  return undefined;
}

/**
 * One iterative pass over parsed JSON: nesting deeper than MAX_JSON_DEPTH (recursive validators
 * would overflow the stack on it), and U+0000 or an unpaired surrogate in any string or key
 * (PostgreSQL cannot store them; JSON.parse accepts "\udc00") are refused here as 400s instead of
 * becoming 500s later.
 */
export function jsonShapeProblem(root: unknown): Issue | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: "", depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value === "string") {
      const problem = unstorableTextProblem(value);
      if (problem) return { path, message: problem };
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) return { path, message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(value)) {
      value.forEach((inner, index) => stack.push({ value: inner, path: `${path}[${index}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, inner] of Object.entries(value)) {
      const here = path === "" ? key : `${path}.${key}`;
      const problem = unstorableTextProblem(key);
      if (problem) return { path: here, message: problem };
      stack.push({ value: inner, path: here, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Checks already-parsed data with the same error shape as `readJson`. */
export function parseValue<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error), what);
  return parsed.data;
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error), "query");
  return parsed.data;
}

/** `If-Match: 3`, `"3"` or `W/"3"`: the version the client last saw. */
export function readIfMatch(c: Context): number | undefined {
  const header = c.req.header("if-match");
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match?.[1]) {
    throw new AppError("VALIDATION_FAILED", `If-Match must be a version number such as "3", not '${header.slice(0, 40)}'`, [
      { path: "If-Match", message: "must be a version number" },
    ]);
  }
  return Number(match[1]);
}
