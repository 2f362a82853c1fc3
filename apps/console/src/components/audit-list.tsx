import type { AuditEntry } from "../api/types";
import { deployPath, flagPath } from "../router";
import { JsonDiff } from "./json-diff";
import { when } from "./problem";

/** Audit entries, newest first: who, what, when, why, and the change as a diff on request. */
export function AuditList({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p class="muted">No changes recorded.</p>;
  return (
    <ol class="audit">
      {entries.map((e) => (
        <li key={e.id}>
          <div>
            <time dateTime={e.at}>{when(e.at)}</time> <strong>{e.actor.name}</strong> <code>{e.action}</code>{" "}
            {e.flag !== null && e.environment !== null ? (
              <a href={flagPath(e.flag, e.environment)}>{e.resource.key}</a>
            ) : (
              <span>{e.resource.key}</span>
            )}
            {e.deployId !== null && (
              <>
                {" "}
                by deploy <a href={deployPath(e.deployId)}>{e.deployId}</a>
              </>
            )}
          </div>
          {e.comment !== null && <q class="comment">{e.comment}</q>}
          <details>
            <summary>Change</summary>
            <JsonDiff before={e.before} after={e.after} label={`Change ${e.id}`} />
          </details>
        </li>
      ))}
    </ol>
  );
}
