import { flagKeySchema } from "@switchyard/core/schema";
import { Hono } from "hono";
import { z } from "zod";
import { unwrap } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJson, readQuery } from "../http/validation";
import * as codeRefs from "../services/code-refs";
import { actorOf, type RouteDeps } from "./route-deps";

const singleLine = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\r\n]*$/, "must be a single line");
const name = singleLine(200).trim().min(1, "must not be empty");

export const MAX_TEXT_LENGTH = 300;

export const codeRefUploadSchema = z.strictObject({
  repository: name,
  branch: name,
  refs: z
    .array(
      z.strictObject({
        flag: flagKeySchema,
        path: singleLine(1000).min(1, "must not be empty"),
        line: z.number().int().min(1).max(100_000_000),
        // The matched line only; the scanner trims and truncates it, so a longer one is a bug or a leak.
        text: singleLine(MAX_TEXT_LENGTH).optional(),
      }),
    )
    .max(100_000, "at most 100,000 references per upload"),
});

export const codeRefListQuerySchema = z.strictObject({
  flag: z.string().min(1).optional(),
  repository: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

export const codeRefDeleteQuerySchema = z.strictObject({
  repository: z.string().min(1, "must name the repository"),
  branch: z.string().min(1, "must name the branch"),
});

/** Where flags appear in code, uploaded by `switchyard scan` per repository and branch. */
export function codeRefRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();

  // Replaces everything known about that repository and branch (an upload is a full scan).
  app.post("/", async (c) => {
    const upload = await readJson(c, codeRefUploadSchema, "code references");
    return c.json(await codeRefs.uploadCodeRefs(deps.db, actorOf(c), upload));
  });

  app.get("/", async (c) => {
    const { limit, offset, ...filter } = readQuery(c, codeRefListQuerySchema);
    return c.json(await codeRefs.listCodeRefs(deps.db, filter, { limit, offset }));
  });

  app.delete("/", async (c) => {
    const { repository, branch } = readQuery(c, codeRefDeleteQuerySchema);
    return c.json(unwrap(await codeRefs.deleteCodeRefs(deps.db, repository, branch)));
  });

  return app;
}
