import { ApiError, type Issue } from "../api/api-client";

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failure in words, with the API's field problems listed when it sent them. */
export function Problem({ error }: { error: unknown }) {
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div class="error" role="alert">
      <p>{messageOf(error)}</p>
      {issues.length > 0 && (
        <ul>
          {issues.map((issue) => (
            <li key={issue.path}>
              <code>{issue.path || "(body)"}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The problems at `path`, or (with `within`) at it and anything inside it, e.g. `values` and `values[0]`. */
export function issuesAt(issues: readonly Issue[], path: string, within = false): Issue[] {
  return issues.filter(
    (issue) => issue.path === path || (within && (issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`))),
  );
}

/** The messages of the problems at `path`, shown next to the field they name. */
export function FieldProblems({ issues, path, id, within }: { issues: readonly Issue[]; path: string; id?: string; within?: boolean }) {
  const mine = issuesAt(issues, path, within);
  if (mine.length === 0) return null;
  return (
    <span class="field-error" role="alert" id={id} data-path={path}>
      {mine.map((issue) => issue.message).join("; ")}
    </span>
  );
}

export const when = (at: string) => new Date(at).toLocaleString();
