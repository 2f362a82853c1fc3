import { type ServerType, serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";

export type NodeServer = ServerType & { closeAllConnections?: () => void };

/** Serves `fetch` on `host`:`port` (0 picks a free port); answers the server and the URL it is reachable at. */
export function listenOn(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  where: { host: string; port: number },
): Promise<{ server: NodeServer; url: string; port: number }> {
  return new Promise((done, fail) => {
    const server: NodeServer = serve({ fetch, port: where.port, hostname: where.host }, (info: AddressInfo) => {
      const host = where.host.includes(":") ? `[${where.host}]` : where.host;
      done({ server, url: `http://${host}:${info.port}`, port: info.port });
    });
    server.on("error", fail);
  });
}
