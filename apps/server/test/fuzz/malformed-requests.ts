import { HOSTILE_STRINGS, hostileValue, schemaValue, type SchemaNode } from "./json-schema-values";
import type { SeededRandom } from "./seeded-random";

export interface FuzzRequest {
  method: string;
  /** Path and query, as `app.request()` takes them. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface FuzzFixtures {
  /** One token of each kind for the environment the fixtures live in, and one deploy token of another. */
  tokens: { admin: string; server: string; client: string; deploy: string; otherDeploy: string };
  /** Existing names per path parameter (key, env, id, n), so requests get past "not found" into deeper code. */
  plausible: Record<string, string[]>;
}

export interface DocumentOperation {
  method: string;
  path: string;
  tokens: string[];
  query: Array<{ name: string; schema: SchemaNode }>;
  body: SchemaNode | undefined;
}

type OpenApiPaths = Record<string, Record<string, Record<string, unknown>>>;

/** Every operation of the OpenAPI document, with what the generator needs of it. */
export function documentOperations(document: Record<string, unknown>): DocumentOperation[] {
  // The document is JSON that `openapi/document.ts` builds in this shape (and the OpenAPI test checks).
  const paths = document.paths as OpenApiPaths;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const parameters = (operation.parameters ?? []) as Array<{ name: string; in: string; schema: SchemaNode }>;
      const requestBody = operation.requestBody as { content: Record<string, { schema: SchemaNode }> } | undefined;
      return {
        method: method.toUpperCase(),
        path,
        tokens: (operation["x-token-kinds"] ?? []) as string[],
        query: parameters.filter((p) => p.in === "query"),
        body: requestBody?.content["application/json"]?.schema,
      };
    }),
  );
}

/** Query parameters the document cannot describe: EventSource sends the context and token in the URL. */
const UNDOCUMENTED_QUERY: Record<string, SchemaNode> = {
  context: { type: "string" },
  token: { type: "string" },
  instance: { type: "string" },
  lastEventId: { type: "integer" },
  comment: { type: "string" },
};

/**
 * `encodeURIComponent` throws on a lone surrogate; a client can still send its bytes, percent-encoded.
 * Unless `encoded`, now and then the raw text, as a careless client sends it (the URL parser then
 * drops tabs and newlines, so "production\r\n" names production).
 */
function encodePart(random: SeededRandom, value: string, encoded = false): string {
  if (!encoded && random.chance(0.1)) return value.replace(/[#?&/]/g, (c) => encodeURIComponent(c));
  try {
    return encodeURIComponent(value);
  } catch {
    return random.pick(["%ED%B0%80", "%ED%A0%80x", "%C0%AF", "%FF"]);
  }
}

function pathValue(random: SeededRandom, name: string, method: string, fixtures: FuzzFixtures): string {
  const plausible = fixtures.plausible[name] ?? [];
  if (method !== "DELETE" && plausible.length > 0 && random.chance(0.5)) return random.pick(plausible);
  const value = random.chance(0.2)
    ? `${random.pick(["f", "production", "1"])}${random.pick(HOSTILE_STRINGS)}`
    : random.pick(HOSTILE_STRINGS);
  // DELETE never names a fixture: the rest of the run needs the environment and its tokens.
  return method === "DELETE" ? encodePart(random, plausible.includes(value) ? `${value}-gone` : value, true) : encodePart(random, value);
}

function token(random: SeededRandom, kinds: string[], fixtures: FuzzFixtures): string | undefined {
  const roll = random.next();
  const { tokens } = fixtures;
  if (roll < 0.75 && kinds.length > 0) {
    const kind = random.pick(kinds);
    return `Bearer ${Object.entries(tokens).find(([name]) => name === kind)?.[1] ?? tokens.admin}`;
  }
  if (roll < 0.85) return `Bearer ${random.pick(Object.values(tokens))}`;
  if (roll < 0.9) return undefined;
  return random.pick([
    "Bearer",
    "Bearer ",
    "Basic YWRtaW46YWRtaW4=",
    "Bearer a b",
    `bearer ${tokens.admin}x`,
    "Bearer sy_admin_",
    "x".repeat(9_000),
  ]);
}

function queryString(random: SeededRandom, operation: DocumentOperation, fixtures: FuzzFixtures): string {
  const documented = new Set(operation.query.map((p) => p.name));
  const candidates = [...operation.query, ...Object.entries(UNDOCUMENTED_QUERY).map(([name, schema]) => ({ name, schema }))];
  const parts: string[] = [];
  for (const { name, schema } of candidates) {
    if (!random.chance(documented.has(name) ? 0.5 : 0.1)) continue;
    let value: unknown = schemaValue(random, schema, schema, {
      plausible: Object.values(fixtures.plausible).flat(),
      mutation: 0.3,
    });
    if (name === "context" && random.chance(0.7))
      value = Buffer.from(JSON.stringify({ key: value, [String(value)]: hostileValue(random) })).toString("base64url");
    if (name === "token" && random.chance(0.7)) value = fixtures.tokens.client;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    parts.push(`${encodePart(random, name)}=${encodePart(random, text ?? "")}`);
    if (random.chance(0.05)) parts.push(`${name}=${encodePart(random, random.pick(HOSTILE_STRINGS))}`); // the parameter twice
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function body(random: SeededRandom, operation: DocumentOperation, fixtures: FuzzFixtures): string | Uint8Array | undefined {
  if (operation.body === undefined && !random.chance(0.1)) return undefined;
  const roll = random.next();
  if (roll < 0.1) return random.pick(["", " ", "{", '{"a":', "[]", "null", "1e999999", '"\\ud800"', "{".repeat(10_000), "\u0000"]);
  if (roll < 0.13) return new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0xc0, 0x7d]); // invalid UTF-8
  const schema = operation.body ?? {};
  const value = schemaValue(random, schema, schema, {
    plausible: Object.values(fixtures.plausible).flat(),
    mutation: random.pick([0.02, 0.1, 0.3]),
  });
  const json = JSON.stringify(value) ?? "null";
  return random.chance(0.05) ? json.slice(0, random.int(json.length)) : json;
}

const EXTRA_HEADERS: Record<string, readonly string[]> = {
  "if-match": ['"1"', "*", 'W/"2"', "abc", '"99999999999"', ""],
  "if-none-match": ['"x"', "*", "W/", ""],
  "last-event-id": ["0", "-1", "99999999999999999999", "abc", "1.5", ""],
  "x-switchyard-instance": ["pod-1", "", "a b", "x".repeat(200), "../.."],
  "content-type": ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
};

/** One malformed (or, now and then, well-formed) request to one operation. */
export function malformedRequest(random: SeededRandom, operation: DocumentOperation, fixtures: FuzzFixtures): FuzzRequest {
  const method = random.chance(0.02) ? random.pick(["HEAD", "OPTIONS", "PATCH", "PUT", "DELETE"]) : operation.method;
  const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => pathValue(random, name, method, fixtures));
  const headers: Record<string, string> = {};
  const authorization = token(random, operation.tokens, fixtures);
  if (authorization !== undefined) headers.authorization = authorization;
  for (const [name, values] of Object.entries(EXTRA_HEADERS)) if (random.chance(0.1)) headers[name] = random.pick(values);
  const url = `${path}${queryString(random, operation, fixtures)}`;
  const payload = body(random, operation, fixtures);
  // fetch's Request refuses a body on GET and HEAD: no client can send one.
  return { method, url, headers, ...(payload === undefined || method === "GET" || method === "HEAD" ? {} : { body: payload }) };
}
