import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export interface OperationsDeps {
  ping(): Promise<void>;
  /** False once shutdown began, so load balancers stop sending new requests. */
  isAccepting(): boolean;
}

export function operationsRoutes(deps: OperationsDeps) {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (!deps.isAccepting()) return c.json({ status: "shutting-down" }, 503);
    try {
      await deps.ping();
      return c.json({ status: "ready", database: "ok" });
    } catch {
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });
  return app;
}
