import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./api/api-client";
import type { AuditPage, AuditEntry } from "./api/types";

/** How often the console asks whether anything changed: a change shows within this plus one fetch. */
export const LIVE_POLL_MS = 250;

/**
 * Live updates by ETag polling of the audit log: every change to anything (flag, config, segment,
 * environment, token, deploy flag-off) writes an audit entry, so `GET /api/audit?limit=1` with
 * `If-None-Match` answers 304 until something changed, on any replica. The revision counts the
 * changes seen; pages reload what they show when it moves. Polling pauses while the tab is hidden.
 * The newest entry comes along, so a page can show that change before its reload answers.
 */
export function useLiveRevision(api: ApiClient): { revision: number; latest: AuditEntry | undefined } {
  const [live, setLive] = useState<{ revision: number; latest: AuditEntry | undefined }>({ revision: 0, latest: undefined });
  useEffect(() => {
    let etag: string | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (document.visibilityState !== "hidden") {
        try {
          const answer = await api.poll<AuditPage>("/api/audit?limit=1", etag);
          if (answer !== undefined) {
            if (etag !== null && answer.etag !== etag) setLive((l) => ({ revision: l.revision + 1, latest: answer.body.entries[0] }));
            etag = answer.etag;
          }
        } catch {
          // The next tick tries again; pages show their own errors.
        }
      }
      if (!stopped) timer = setTimeout(tick, LIVE_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api]);
  return live;
}
