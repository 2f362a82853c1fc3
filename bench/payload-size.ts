import { request } from "node:http";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { BenchSuite } from "./bench-suite";
import { printTable, timeMs } from "./harness";
import { seed } from "./http-evaluate";
import { startBenchServer } from "./server-process";

// Issue #12: the 100-flag SDK payload of Unleash, gzipped, as users compare it.
const UNLEASH_GZIP_BYTES = 1_200;
const ENCODINGS = ["identity", "gzip", "br"] as const;

/** The bytes of the body as they cross the wire (node:http, which never decompresses). */
function wireBytes(
  url: string,
  path: string,
  token: string,
  encoding: string,
  body?: unknown,
): Promise<{ bytes: number; encoding: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      {
        method: payload === undefined ? "GET" : "POST",
        // A fresh connection each time: the timing loops below outlast the server's keep-alive.
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          "accept-encoding": encoding,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.byteLength;
          chunks.push(chunk);
        });
        res.on("end", () =>
          res.statusCode === 200
            ? resolve({ bytes, encoding: String(res.headers["content-encoding"] ?? "identity"), data: Buffer.concat(chunks) })
            : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const kilobytes = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

export const payloadSizeBench: BenchSuite = {
  name: "payload-size",
  description: "bytes on the wire for 100 flags (like http-evaluate's): plain, gzip and brotli, next to Unleash's 1.2 KB gzipped",
  async run() {
    const server = await startBenchServer(4480);
    try {
      const client = await seed(server.url);
      const sdk = String((await server.api("POST", "/api/tokens", { name: "bench-sdk", kind: "server", environment: "production" })).token);
      const context = { key: "user-42", country: "DE", plan: "free" };
      const endpoints = [
        { name: "GET /api/sdk/flags (server SDK, 100 configs)", path: "/api/sdk/flags", token: sdk, body: undefined },
        { name: "POST /api/client/evaluate (100 values)", path: "/api/client/evaluate", token: client, body: { context } },
        {
          name: "POST /ofrep/v1/evaluate/flags (100 values)",
          path: "/ofrep/v1/evaluate/flags",
          token: client,
          body: { context: { ...context, targetingKey: "user-42" } },
        },
      ];
      const rows = [["endpoint", ...ENCODINGS.map((e) => (e === "identity" ? "raw" : e))]];
      const costs = [["per-request compression of the raw answer (CPU, median of 200)", "gzip -6", "brotli 5"]];
      for (const endpoint of endpoints) {
        const cells: string[] = [];
        let raw: Buffer = Buffer.alloc(0);
        for (const encoding of ENCODINGS) {
          const wire = await wireBytes(server.url, endpoint.path, endpoint.token, encoding, endpoint.body);
          if (wire.encoding !== encoding) throw new Error(`${endpoint.path}: asked for ${encoding}, got ${wire.encoding}`);
          if (encoding === "identity") raw = wire.data;
          cells.push(`${kilobytes(wire.bytes)}`);
        }
        rows.push([endpoint.name, ...cells]);
        // The levels http/compression.ts uses for answers compressed per request.
        const gzipMs = timeMs(() => gzipSync(raw, { level: 6 }), 200);
        const brotliMs = timeMs(() => brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }), 200);
        costs.push([endpoint.name, `${(gzipMs * 1000).toFixed(0)} µs`, `${(brotliMs * 1000).toFixed(0)} µs`]);
      }
      rows.push(["Unleash /api/client/features, 100 flags (issue #12)", "—", kilobytes(UNLEASH_GZIP_BYTES), "—"]);
      printTable(rows);
      console.log("\nThe SDK payload is compressed once per version (gzip -9, brotli 11); the others per request:\n");
      printTable(costs);
    } finally {
      await server.stop();
    }
  },
};
