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
  const nul = findNul(data, "");
  if (nul !== undefined) {
    // PostgreSQL text and jsonb cannot hold U+0000; refusing it here keeps it from becoming a 500.
    throw validationFailed([{ path: nul, message: "must not contain the NUL character (\\u0000)" }], what);
  }
  return parseValue(schema, data, what);
}

function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return value.includes("\0") ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const here = path === "" ? key : `${path}.${key}`;
      if (key.includes("\0")) return here;
      const found = findNul(inner, here);
      if (found !== undefined) return found;
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
