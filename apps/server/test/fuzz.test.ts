import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi/document";
import {
  documentOperations,
  malformedRequest,
  type DocumentOperation,
  type FuzzFixtures,
  type FuzzRequest,
} from "./fuzz/malformed-requests";
import { SeededRandom } from "./fuzz/seeded-random";
import { backends, startTestServer, type TestServer } from "./harness";

/*
 * Malformed requests to every route of the OpenAPI document, generated from a seed: none may be
 * answered with a 5xx, and the server must keep answering. A failure prints the seed and the
 * requests; `FUZZ_SEED=<seed> FUZZ_REQUESTS=<n>` replays it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const IN_FLIGHT = 8;
const ANSWER_TIMEOUT_MS = 10_000;

// One backend is enough: the database's refusals are the same in both. PostgreSQL when there is one.
const backend = backends().find((b) => b.name === "postgres" && !b.skip) ?? { name: "embedded" as const, skip: false };

interface Finding {
  status: number | "no answer";
  request: string;
  answer: string;
}

/** Round robin: every route gets the same share of the requests. */
function operationAt(operations: DocumentOperation[], i: number): DocumentOperation {
  const operation = operations[i % operations.length];
  if (operation === undefined) throw new Error("the OpenAPI document lists no operation");
  return operation;
}

const excerpt = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text);

function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? "" : typeof request.body === "string" ? request.body : `<${request.body.length} bytes>`;
  return excerpt(`${request.method} ${request.url} ${JSON.stringify(request.headers)} ${body}`);
}

describe(`fuzzing every route with malformed requests on ${backend.name} (seed ${SEED})`, () => {
  let server: TestServer;
  let fixtures: FuzzFixtures;
  const loggedErrors: string[] = [];

  beforeAll(async () => {
    // What the server logs as unhandled is what a 500 leaves behind: the finding's stack, in the failure.
    const logger = pino({ level: "error" }, { write: (line: string) => void loggedErrors.push(line) });
    // No deploy worker runs here: a valid rehearsal gives up on its flag-off soon (an `error` rehearsal, not a hang).
    server = await startTestServer(backend.name, { logger, rehearsals: { detectionTimeoutMs: 200, pollMs: 20 } });
    for (const key of ["f", "g"]) await server.request("POST", "/api/flags", { body: { key } });
    await server.request("POST", "/api/segments", { body: { key: "seg", included: ["u1"], excluded: [], rules: [] } });
    await server.request("PATCH", "/api/flags/f/environments/production", {
      body: {
        enabled: true,
        rules: [{ segments: ["seg"], serve: { variation: 0 } }],
        fallthrough: { rollout: { weights: [50_000, 50_000] } },
      },
    });
    const tokens = {
      admin: server.adminToken,
      server: await server.token("server", "production"),
      client: await server.token("client", "production"),
      deploy: await server.token("deploy", "production"),
      otherDeploy: await server.token("deploy", "staging"),
    };
    const deploy = await server.request("POST", "/api/deploys", {
      token: tokens.deploy,
      body: {
        service: "web",
        version: "1",
        environment: "production",
        flags: ["f"],
        guard: { windowSeconds: 600, intervalSeconds: 60, checks: [{ signal: "error_rate", max: 0.1 }] },
      },
    });
    const tokenIds = (await server.request("GET", "/api/tokens")).body.tokens.map((t: { id: string }) => t.id);
    fixtures = {
      tokens,
      plausible: {
        key: ["f", "g", "seg", "new-flag"],
        env: ["production", "staging"],
        id: [deploy.body.id, ...tokenIds],
        n: ["1", "2", "0", "999999999"],
      },
    };
  });
  afterAll(() => server?.close());

  async function send(request: FuzzRequest): Promise<Finding | undefined> {
    const init: RequestInit = { method: request.method, headers: request.headers };
    if (request.body !== undefined) init.body = request.body;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ANSWER_TIMEOUT_MS);
    });
    const answered = (async () => {
      const res = await server.app.request(new Request(`http://localhost${request.url}`, init));
      // An open stream is an answer: read its status, then hang up like a client that got what it wanted.
      if (res.headers.get("content-type")?.includes("text/event-stream")) {
        await res.body?.cancel();
        return { status: res.status, text: "<event stream>" };
      }
      return { status: res.status, text: await res.text() };
    })();
    const outcome = await Promise.race([answered, timeout]).finally(() => clearTimeout(timer));
    if (outcome === "timeout") return { status: "no answer", request: describeRequest(request), answer: "" };
    if (outcome.status >= 500) return { status: outcome.status, request: describeRequest(request), answer: excerpt(outcome.text) };
    return undefined;
  }

  // About 30 s on PostgreSQL on a busy 2-core machine; PGlite takes about three times as long.
  it(`answers ${REQUESTS} malformed requests without a 5xx, and keeps answering`, { timeout: 180_000 }, async () => {
    const operations = documentOperations(openApiDocument());
    const random = new SeededRandom(SEED);
    // Generated up front, in order, so the seed alone decides every request whatever the answers' timing.
    const requests = Array.from({ length: REQUESTS }, (_, i) => malformedRequest(random, operationAt(operations, i), fixtures));
    const findings: Finding[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let request = requests[next++]; request !== undefined; request = requests[next++]) {
          const finding = await send(request);
          if (finding) findings.push(finding);
        }
      }),
    );

    const unhandled = loggedErrors.map((line) => excerpt(String(JSON.parse(line).err?.stack ?? line)));
    expect({ seed: SEED, count: findings.length, findings: findings.slice(0, 20), unhandled: unhandled.slice(0, 5) }).toEqual({
      seed: SEED,
      count: 0,
      findings: [],
      unhandled: [],
    });
    // Every stream the fuzz opened (SDK, client, OFREP events) ended when it hung up: none holds the server.
    await expect.poll(() => server.hub.counts, { timeout: 5_000 }).toEqual({ sdk: 0, client: 0, ofrep: 0 });
    expect((await server.request("GET", "/healthz", { token: null })).status).toBe(200);
    // Values may have changed (fuzzed writes succeed now and then); evaluation must still answer.
    const evaluated = await server.request("POST", "/api/client/evaluate", {
      token: fixtures.tokens.client,
      body: { context: { key: "u1" } },
    });
    expect(evaluated).toMatchObject({ status: 200, body: { flags: expect.any(Object) } });
  });
});
