import { request, type ClientRequest } from "node:http";

/**
 * One receiving process of the propagation bench (bench/propagation.ts forks several, so the
 * figure is not limited by one client event loop parsing every stream). It opens its share of
 * SDK streams and records, per stream, when each patch arrived — as wall-clock milliseconds
 * (`performance.timeOrigin + performance.now()`), comparable across the processes.
 */
export type ReceiverCommand =
  /** `url`: the server's or a relay's; `count` streams to it, all with `token`. */
  { type: "open"; url: string; token: string; count: number } | { type: "report" } | { type: "close" };
export type ReceiverMessage =
  | { type: "opened" }
  | { type: "complete"; toggle: number }
  | { type: "report"; patches: number[][] }
  | { type: "error"; message: string };

const OPEN_BATCH = 200;
const send = (message: ReceiverMessage) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

const requests: ClientRequest[] = [];
const patches: number[][] = [];
/** How many streams received each toggle: `complete` is sent when all of them have. */
const receivedPerToggle: number[] = [];

function openStream(url: URL, token: string, index: number): Promise<void> {
  patches[index] = [];
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) {
          // A refused stream (a limit, an unknown token) would otherwise wait for its `put` forever.
          res.resume();
          reject(new Error(`stream ${index} to ${url.host} answered ${res.statusCode}`));
          return;
        }
        let buffer = "";
        let gotPut = false;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            // A stray blank line between events (some encoders end `retry:` with one) dispatches nothing.
            const block = buffer.slice(0, end).replace(/^\n+/, "");
            buffer = buffer.slice(end + 2);
            if (block.startsWith("event: put") && !gotPut) {
              gotPut = true;
              resolve();
            } else if (block.startsWith("event: patch")) {
              const mine = patches[index] ?? [];
              const toggle = mine.push(now()) - 1;
              const received = (receivedPerToggle[toggle] ?? 0) + 1;
              receivedPerToggle[toggle] = received;
              if (received === requests.length) send({ type: "complete", toggle });
            }
          }
        });
      },
    );
    req.on("error", reject);
    req.end();
    requests.push(req);
  });
}

process.on("message", (command: ReceiverCommand) => {
  if (command.type === "open") {
    const url = new URL(`${command.url}/api/sdk/stream`);
    void (async () => {
      try {
        for (let i = 0; i < command.count; i += OPEN_BATCH) {
          const batch = Array.from({ length: Math.min(OPEN_BATCH, command.count - i) }, (_, j) => openStream(url, command.token, i + j));
          await Promise.all(batch);
        }
        send({ type: "opened" });
      } catch (error) {
        send({ type: "error", message: String(error) });
      }
    })();
  } else if (command.type === "report") send({ type: "report", patches });
  else {
    for (const req of requests) req.destroy();
    process.disconnect();
  }
});
