import type { AuditEntry, Flag } from "./api/types";

function configState(after: unknown): { enabled: boolean; version: number } | undefined {
  if (typeof after !== "object" || after === null || !("enabled" in after) || !("version" in after)) return undefined;
  const { enabled, version } = after;
  return typeof enabled === "boolean" && typeof version === "number" ? { enabled, version } : undefined;
}

/**
 * The flags as the newest audit entry says they are now: a config change seen by the live poll
 * shows at once, before the list's own reload answers (which then agrees, or is newer still).
 */
export function withLatestChange(flags: Flag[], latest: AuditEntry | undefined): Flag[] {
  const state = latest?.resource.type === "flag-config" ? configState(latest.after) : undefined;
  if (latest === undefined || state === undefined || latest.flag === null || latest.environment === null) return flags;
  const { flag: key, environment } = latest;
  return flags.map((flag) => {
    const current = flag.environments[environment];
    if (flag.key !== key || current === undefined || current.version >= state.version) return flag;
    return { ...flag, environments: { ...flag.environments, [environment]: { ...current, ...state, updatedAt: latest.at } } };
  });
}
