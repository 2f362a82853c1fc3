import type { TestServer } from "./harness";
import { eventually } from "../../../test/support/eventually";

/** A guard judging `error_rate` from SDK counts every second over `windowSeconds`. */
export const errorRateGuard = (windowSeconds: number, overrides: Record<string, unknown> = {}) => ({
  windowSeconds,
  intervalSeconds: 1,
  checks: [{ signal: "error_rate", max: 0.02, minSamples: 100 }],
  onBreach: "disable-flags",
  ...overrides,
});

/** A flag on in `environment`, split 50/50 between its two variations (two cohorts). */
export async function createSplitFlag(server: TestServer, key: string, environment: string): Promise<void> {
  await server.request("POST", "/api/flags", { body: { key } });
  await server.request("PATCH", `/api/flags/${key}/environments/${environment}`, {
    body: { enabled: true, fallthrough: { rollout: { weights: [50_000, 50_000] } } },
  });
}

/** The deploy as `token` reads it, once it is decided for good. */
export const settledDeploy = (server: TestServer, token: string, id: string) =>
  eventually(
    async () => (await server.request("GET", `/api/deploys/${id}`, { token })).body,
    (d) => d.final === true,
  );
