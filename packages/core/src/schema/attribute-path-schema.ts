import { z } from "zod";
import { attributePathProblem } from "../attribute-path";

/** A condition's `attribute` or a rollout's `bucketBy`: an attribute path (see attribute-path.ts). */
export const attributePathSchema = z
  .string()
  .min(1)
  .max(256)
  .superRefine((path, context) => {
    const problem = attributePathProblem(path);
    if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
  });
