import { useState } from "preact/hooks";
import { ApiError, type Issue } from "./api/api-client";

export interface Submission {
  /** The API's field problems of the last failure (400 details), for showing next to their fields. */
  issues: Issue[];
  failure: unknown;
  /** Runs a write; its failure is kept, and its 400 details become `issues`. Resolves true when it succeeded. */
  run(action: () => Promise<void>): Promise<boolean>;
}

export function useSubmit(): Submission {
  const [issues, setIssues] = useState<Issue[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  return {
    issues,
    failure,
    async run(action) {
      setIssues([]);
      setFailure(null);
      try {
        await action();
        return true;
      } catch (error) {
        if (error instanceof ApiError) setIssues(error.issues);
        setFailure(error);
        return false;
      }
    },
  };
}
