import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./api/api-client";

/** How often the console asks whether anything changed: a change shows within this plus one fetch. */
export const LIVE_POLL_MS = 250;

/**
 * Live updates by ETag polling of the audit log: every change to anything (flag, config, segment,
 * environment, token, deploy flag-off) writes an audit entry, so `GET /api/audit?limit=1` with
 * `If-None-Match` answers 304 until something changed, on any replica. The revision counts the
 * changes seen; pages reload what they show when it moves. Polling pauses while the tab is hidden.
 */
export function useLiveRevision(api: ApiClient): number {
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    let etag: string | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (document.visibilityState !== "hidden") {
        try {
          const answer = await api.poll("/api/audit?limit=1", etag);
          if (answer !== undefined) {
            if (etag !== null && answer.etag !== etag) setRevision((r) => r + 1);
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
  return revision;
}
