/**
 * The evaluation workload shared by Switchyard and its peers, so each evaluates the same
 * contexts: flag A is on for everyone; flag B serves `true` when country is one of 10 values
 * and plan is "enterprise", else a 25 % rollout on the context key.
 */

export const FLAG_A = "flag-a";
export const FLAG_B = "flag-b";
export const B_COUNTRIES = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "PT"];
export const B_PLANS = ["enterprise"];
export const B_ROLLOUT_PERCENT = 25;

const OTHER_COUNTRIES = ["BR", "JP", "IN", "CA"];
const PLANS = ["free", "pro", "enterprise"];

export interface WorkloadUser {
  key: string;
  country: string;
  plan: string;
}

/**
 * Pre-generated users (a power of two, so `i & (count - 1)` cycles through them). They go
 * through JSON, as contexts arriving over HTTP or from a database driver would: built with
 * template literals, the keys would be V8 cons strings, which every library then has to
 * flatten on first read — an artefact of the benchmark, not of real traffic.
 */
export function generateUsers(count: number): WorkloadUser[] {
  const countries = [...B_COUNTRIES, ...OTHER_COUNTRIES];
  const users = Array.from({ length: count }, (_, i) => ({
    key: `user-${(i * 7919 + 12345).toString(36)}-${i}`,
    country: countries[(i * 31) % countries.length] ?? "US",
    plan: PLANS[(i * 17) % PLANS.length] ?? "free",
  }));
  return parseUsers(JSON.stringify(users));
}

function parseUsers(json: string): WorkloadUser[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error("users must be an array");
  return parsed.map((user: unknown) => {
    if (typeof user !== "object" || user === null) throw new Error("user must be an object");
    const { key, country, plan } = user as Record<string, unknown>; // parsed boundary, checked below
    if (typeof key !== "string" || typeof country !== "string" || typeof plan !== "string") {
      throw new Error("user fields must be strings");
    }
    return { key, country, plan };
  });
}
