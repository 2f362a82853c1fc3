import { z } from "zod";
import { ErrorCodes } from "../errors";
import { operations, type Operation } from "./operations";

type Json = Record<string, unknown>;

/** JSON Schema of what a client sends (input side of transforms and defaults). */
function schemaOf(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}

function parameters(operation: Operation): Json[] {
  const path = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (!operation.query) return path;
  const query = schemaOf(operation.query);
  const properties = (query.properties ?? {}) as Record<string, Json>;
  const required = new Set((query.required as string[] | undefined) ?? []);
  return [...path, ...Object.entries(properties).map(([name, schema]) => ({ name, in: "query", required: required.has(name), schema }))];
}

function describe(operation: Operation): Json {
  const responses: Record<string, Json> = {};
  for (const [status, description] of Object.entries(operation.responses)) {
    responses[status] = { description, content: operation.stream ? { "text/event-stream": {} } : { "application/json": {} } };
  }
  responses.default = { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  return {
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.tokens.length === 0 ? { security: [] } : { security: [{ bearer: [] }], "x-token-kinds": operation.tokens }),
    ...(operation.scope === undefined ? {} : { "x-environment-scope": operation.scope }),
    parameters: parameters(operation),
    ...(operation.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(operation.body) } } } } : {}),
    responses,
  };
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document, built from the route table and the zod schemas routes validate with. */
export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Record<string, Json>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = describe(operation);
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Switchyard",
      version: "0.1.0",
      description:
        "Feature flags tied to deploys. Every request carries `Authorization: Bearer <token>`; `x-token-kinds` lists the token kinds a route accepts (401 without a known token, 403 outside its scope).",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string", enum: Object.keys(ErrorCodes) }, message: { type: "string" }, details: {} },
            },
          },
        },
      },
    },
    paths,
  };
  return cached;
}
