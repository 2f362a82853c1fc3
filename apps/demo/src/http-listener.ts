import { createServer } from "node:http";
import type { DemoRequest, DemoResponse } from "./routes";
import { StartupError } from "./startup-error";

/** Loopback only: the break switches have no authentication, so nobody else may reach them. */
export const DEMO_HOST = "127.0.0.1";

/** Open requests get this long after a stop before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** Serves `handle` over node:http; the routing itself stays a plain function of the request. */
export function listen(port: number, handle: (request: DemoRequest) => DemoResponse): Promise<Listener> {
  const server = createServer((req, res) => {
    const response = handle({ method: req.method ?? "GET", url: req.url ?? "/" });
    res.writeHead(response.status, { "content-type": response.contentType, "cache-control": "no-store" });
    res.end(response.body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`Port ${port} on ${DEMO_HOST} is in use (is the demo already running?). Stop that process or set DEMO_PORT.`)
          : new StartupError(`Cannot listen on ${DEMO_HOST}:${port}: ${error.message}`),
      );
    });
    server.listen(port, DEMO_HOST, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
            force.unref();
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
