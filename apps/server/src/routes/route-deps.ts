import type { Context } from "hono";
import type { Actor } from "../store/audit";
import type { Db } from "../store/database";
import type { AppEnv } from "../http/app-env";
import type { LiveState } from "../services/live-state";
import type { StreamHub } from "../stream/hub";

export interface RouteDeps {
  db: Db;
  live: LiveState;
  hub: StreamHub;
}

export function actorOf(c: Context<AppEnv>): Actor {
  const token = c.get("token");
  return { tokenId: token.id, name: token.name };
}
