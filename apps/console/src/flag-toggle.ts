import { ApiError, type ApiClient } from "./api/api-client";
import type { AuditPage } from "./api/types";

/** Someone changed the config between what the person saw and their switch: who, and to what version. */
export interface Conflict {
  flag: string;
  environment: string;
  currentVersion: number | null;
  changedBy: string | null;
  changedAt: string | null;
}

export type ToggleOutcome = { ok: true } | { ok: false; conflict: Conflict } | { ok: false; error: unknown };

function currentVersionOf(error: ApiError): number | null {
  const details: unknown = error.details;
  if (typeof details === "object" && details !== null && "currentVersion" in details && typeof details.currentVersion === "number")
    return details.currentVersion;
  return null;
}

/**
 * Turns a flag on or off in one environment, sending the version the person saw as `If-Match`.
 * A 409 means someone else wrote in between; the newest audit entry of that config says who.
 */
export async function toggleFlag(
  api: ApiClient,
  flag: string,
  environment: string,
  enabled: boolean,
  seenVersion: number,
): Promise<ToggleOutcome> {
  const path = `/api/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(environment)}`;
  try {
    await api.send(
      "PATCH",
      path,
      { enabled, comment: `Turned ${enabled ? "on" : "off"} in the console` },
      { "if-match": `"${seenVersion}"` },
    );
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) return { ok: false, error };
    const query = new URLSearchParams({ flag, environment, limit: "1" });
    const last = await api.get<AuditPage>(`/api/audit?${query}`).catch(() => undefined);
    const entry = last?.entries[0];
    return {
      ok: false,
      conflict: {
        flag,
        environment,
        currentVersion: currentVersionOf(error),
        changedBy: entry?.actor.name ?? null,
        changedAt: entry?.at ?? null,
      },
    };
  }
}
