import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
import { newTokenSecret } from "./auth/token-secrets";
import type { Config } from "./config";
import { ok } from "./errors";
import { transact } from "./services/mutation";
import { type CreatedToken, insertToken } from "./services/tokens";
import { openDatabase } from "./store/database";

/**
 * `switchyard-server recover-admin`: a new admin token for whoever can reach the database with
 * the server's own settings — on the server's machine, with its DATABASE_URL or data folder.
 * Reaching the database is already every power a token grants, so this adds no new way in. The
 * token is audited like any other (actor `recover-admin (user@host)`), and running servers pick it
 * up from the change log within a second. The embedded database belongs to one process: stop the
 * server first.
 */
export async function recoverAdminAccess(config: Config, options: { name: string }): Promise<CreatedToken> {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(
      config.databaseUrl ? { kind: "postgres", url: config.databaseUrl } : { kind: "embedded", dataDir: resolve(config.dataDir) },
    );
  } catch (error) {
    if (error instanceof Error && error.message.includes("is in use by another Switchyard server"))
      throw new Error(
        `${error.message.split(". Stop it")[0]}. The embedded database is one process's: stop the server, run recover-admin, start it again.`,
      );
    throw error;
  }
  try {
    const actor = { tokenId: null, name: `recover-admin (${whoRuns()})` };
    const result = await transact(database.db, async (tx, record) =>
      ok(await insertToken(tx, record, actor, { name: options.name, kind: "admin" }, newTokenSecret("admin"))),
    );
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  } finally {
    await database.close();
  }
}

function whoRuns(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    // A container user without a passwd entry.
    return `uid ${process.getuid?.() ?? "?"}@${hostname()}`;
  }
}
