import { newTokenSecret } from "../auth/token-secrets";
import { ok, unwrap } from "../errors";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import { listEnvironments } from "../store/environments";
import { countAdminTokens } from "../store/tokens";
import { createEnvironment } from "./environments";
import { createFlag } from "./flags";
import { putFlagConfig } from "./flag-configs";
import { transact, type ServiceDeps } from "./mutation";
import { createSegment } from "./segments";
import { insertToken } from "./tokens";

export const defaultEnvironments = [
  { key: "development", name: "Development", production: false },
  { key: "staging", name: "Staging", production: false },
  { key: "production", name: "Production", production: true },
] as const;

const system: Actor = { tokenId: null, name: "system" };

export interface FirstStartReport {
  /** Set only when this start created the admin token from a random secret: print it once. */
  generatedAdminToken: string | undefined;
  /** The admin token came from SWITCHYARD_ADMIN_TOKEN but admin tokens already existed. */
  adminTokenIgnored: boolean;
  seededDemo: boolean;
}

/**
 * Runs at every start under the migration lock (so replicas starting together do it once):
 * creates the default environments on a new database, an admin token when none exists, and,
 * when asked, the demo flags.
 */
export async function prepareDatabase(db: Db, options: { adminToken: string | undefined; demo: boolean }): Promise<FirstStartReport> {
  const deps: ServiceDeps = { db, live: { committed: async () => {} } };
  const isNew = (await listEnvironments(db)).length === 0;
  if (isNew) for (const env of defaultEnvironments) unwrap(await createEnvironment(deps, system, env));

  let generatedAdminToken: string | undefined;
  let adminTokenIgnored = false;
  if ((await countAdminTokens(db)) === 0) {
    const secret = options.adminToken ?? newTokenSecret("admin");
    unwrap(
      await transact(db, async (tx, record) => ok(await insertToken(tx, record, system, { name: "first admin", kind: "admin" }, secret))),
    );
    if (options.adminToken === undefined) generatedAdminToken = secret;
  } else if (options.adminToken !== undefined) {
    adminTokenIgnored = true;
  }

  const seededDemo = isNew && options.demo;
  if (seededDemo) await seedDemo(deps);
  return { generatedAdminToken, adminTokenIgnored, seededDemo };
}

/** A few flags that show rules, segments and rollouts, so a new user has something to try. */
async function seedDemo(deps: ServiceDeps): Promise<void> {
  const comment = "demo data";
  unwrap(
    await createSegment(deps, system, {
      key: "beta-testers",
      name: "Beta testers",
      description: "People who asked for early features",
      included: ["user-1", "user-2"],
      excluded: [],
      rules: [{ conditions: [{ attribute: "email", operator: "endsWith", values: ["@example.com"] }] }],
    }),
  );
  unwrap(
    await createFlag(deps, system, {
      key: "new-checkout",
      name: "New checkout",
      description: "The one-page checkout",
      kind: "release",
      tags: ["checkout"],
      owner: "payments",
    }),
  );
  unwrap(
    await putFlagConfig(
      deps,
      system,
      "new-checkout",
      "production",
      {
        enabled: true,
        rules: [
          { id: "beta", description: "Beta testers get it first", conditions: [], segments: ["beta-testers"], serve: { variation: 0 } },
          {
            id: "enterprise-eu",
            conditions: [
              { attribute: "country", operator: "in", values: ["DE", "FR", "NL"] },
              { attribute: "plan", operator: "in", values: ["enterprise"] },
            ],
            serve: { variation: 0 },
          },
        ],
        fallthrough: { rollout: { bucketBy: "key", weights: [25_000, 75_000] } },
        prerequisites: [],
      },
      { comment },
    ),
  );
  unwrap(
    await putFlagConfig(
      deps,
      system,
      "new-checkout",
      "development",
      { enabled: true, rules: [], fallthrough: { variation: 0 }, prerequisites: [] },
      { comment },
    ),
  );
  unwrap(
    await createFlag(deps, system, {
      key: "search-ranking",
      name: "Search ranking",
      kind: "experiment",
      variations: {
        form: "objects",
        variations: [
          { value: "classic", description: "Keyword ranking" },
          { value: "semantic", description: "Embedding-based ranking" },
        ],
      },
      tags: ["search"],
    }),
  );
  unwrap(
    await putFlagConfig(
      deps,
      system,
      "search-ranking",
      "production",
      {
        enabled: true,
        rules: [],
        fallthrough: { rollout: { bucketBy: "key", weights: [50_000, 50_000] } },
        prerequisites: [],
      },
      { comment },
    ),
  );
  unwrap(
    await createFlag(deps, system, {
      key: "maintenance-mode",
      name: "Maintenance mode",
      kind: "kill-switch",
      description: "Shows the maintenance page",
    }),
  );
}
