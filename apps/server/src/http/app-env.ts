import type { Logger } from "pino";
import type { AuthToken } from "../live/live-state";

/** What middleware puts on the Hono context for handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    token: AuthToken;
  };
}
