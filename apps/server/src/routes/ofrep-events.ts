import type { Hono, MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env";
import type { ReadSide } from "../live/read-side";
import { parseEventId } from "../live/events/sdk-events";
import { serveAdmittedSse } from "../live/transport/hono-sse";
import { tokenEnvironment, type ReadRouteDeps } from "./route-deps";

/** The refresh a replica is running to catch up with a change another replica announced (one at a time). */
const catchingUp = new WeakMap<ReadSide, Promise<void>>();

/**
 * Before a bulk evaluation that an event stream triggered: when `?flagConfigEtag=<epoch>-<seq>`
 * names a change of this database's history that this replica has not applied yet, apply the
 * change log first. One refresh runs at a time per replica, so a forged number costs at most that.
 */
export async function catchUpTo(live: ReadSide, flagConfigEtag: string | undefined): Promise<void> {
  const seq = parseEventId(flagConfigEtag, live.epoch);
  if (seq === undefined || seq <= live.appliedSeq) return;
  let running = catchingUp.get(live);
  if (running === undefined) {
    running = live.refresh().finally(() => catchingUp.delete(live));
    catchingUp.set(live, running);
  }
  await running.catch(() => {});
}

/**
 * `GET /ofrep/v1/events?token=<client token>`: the SSE stream a bulk answer advertises to client
 * tokens (live/events/ofrep-events.ts). Registered before the OFREP app's CORS middleware, which would
 * touch `c.res` and defeat the Node stream path; EventSource sends a simple GET, so the one CORS
 * header it needs is written with the stream. The token comes as `?token=` (the route table's
 * `queryToken`), as EventSource cannot set headers.
 */
export function ofrepEventRoute(
  app: Hono<AppEnv>,
  deps: Pick<ReadRouteDeps, "live" | "hub" | "admitStream">,
  rateLimited: MiddlewareHandler<AppEnv>,
): void {
  app.get("/events", rateLimited, (c) => {
    const view = tokenEnvironment(c, deps.live);
    const tokenId = c.get("token").id;
    return serveAdmittedSse(c, deps.admitStream(c), async (sink) => deps.hub.connectOfrep({ environmentKey: view.key, tokenId, sink }), {
      "access-control-allow-origin": "*",
    });
  });
}
