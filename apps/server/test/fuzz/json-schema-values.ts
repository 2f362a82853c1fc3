import type { SeededRandom } from "./seeded-random";

/** A JSON Schema node as `z.toJSONSchema` writes them (only what the generator reads). */
export type SchemaNode = {
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
};

/** Strings that broke, or could break, something between the edge and the database. */
export const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\udc00x",
  "x\ud800",
  "\ud83d\ude00",
  "\u202e\ufeff",
  "\r\n",
  "%00",
  "%",
  "%E0%A4%A",
  "../../etc/passwd",
  "'; drop table flags; --",
  "$(id)",
  "__proto__",
  "constructor",
  "-1",
  "1e309",
  "NaN",
  "null",
  "*",
  '"3"',
  'W/"99999999999"',
  "2026-13-45T25:61:61Z",
  "(a+)+$",
  "[",
  "x".repeat(201),
  "y".repeat(70_000),
] as const;

const NUMBERS = [0, -1, 1, 1.5, -0.000001, 99, 100, 1_000, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE] as const;

/** Any JSON value a client could send where something else was expected. */
export function hostileValue(random: SeededRandom): unknown {
  switch (random.int(9)) {
    case 0:
      return random.pick(HOSTILE_STRINGS);
    case 1:
      return random.pick(NUMBERS);
    case 2:
      return random.pick([null, true, false]);
    case 3:
      return [];
    case 4:
      return {};
    case 5: {
      // Deeper than the 32 levels readJson allows, or just under it.
      let nested: unknown = 1;
      for (let i = random.pick([31, 33, 200]); i > 0; i--) nested = random.chance(0.5) ? [nested] : { a: nested };
      return nested;
    }
    case 6:
      return Array.from({ length: random.pick([101, 5_000]) }, () => random.pick(["a", 1, null]));
    case 7:
      return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}');
    default:
      return { [random.pick(HOSTILE_STRINGS)]: random.pick(HOSTILE_STRINGS) };
  }
}

export interface ValueOptions {
  /** Plausible strings (existing keys, environments) so requests get past "not found" into deeper code. */
  plausible: readonly string[];
  /** Chance that any one node is replaced by a hostile value. */
  mutation: number;
}

/** A value shaped like `schema`, with some nodes swapped for hostile ones. */
export function schemaValue(random: SeededRandom, schema: SchemaNode, root: SchemaNode, options: ValueOptions, depth = 0): unknown {
  if (random.chance(options.mutation) || depth > 12) return hostileValue(random);
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace(/^#\/\$defs\//, "");
    const target = schema.$ref === "#" ? root : root.$defs?.[name];
    return target === undefined ? hostileValue(random) : schemaValue(random, target, root, options, depth + 1);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0)
    return schemaValue(random, random.pick(alternatives), root, options, depth + 1);
  if (schema.allOf?.[0] !== undefined) return schemaValue(random, schema.allOf[0], root, options, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined && schema.enum.length > 0) return random.pick(schema.enum);
  const type = Array.isArray(schema.type) ? random.pick(schema.type) : schema.type;
  switch (type) {
    case "object":
      return objectValue(random, schema, root, options, depth);
    case "array": {
      const min = schema.minItems ?? 0;
      const length = min + random.int(Math.max(0, Math.min(schema.maxItems ?? 3, min + 3) - min) + 1);
      const items = schema.items ?? {};
      return Array.from({ length }, () => schemaValue(random, items, root, options, depth + 1));
    }
    case "string":
      if (schema.format === "date-time") return random.chance(0.7) ? new Date(random.int(2 ** 31) * 1000).toISOString() : "yesterday";
      if (schema.format === "uri") return random.pick(["https://user:pw@example.com/hook", "http://127.0.0.1:1/x", "ftp://x", "not a url"]);
      return random.chance(0.7) ? random.pick(options.plausible) : random.pick(HOSTILE_STRINGS);
    case "integer":
    case "number": {
      const { minimum = 0, maximum = 100 } = schema;
      const inRange = minimum + random.int(Math.min(maximum - minimum, 1_000) + 1);
      return random.chance(0.6) ? inRange : random.pick([minimum, maximum, minimum - 1, maximum + 1, ...NUMBERS]);
    }
    case "boolean":
      return random.chance(0.5);
    case "null":
      return null;
    default:
      return random.chance(0.5) ? random.pick(options.plausible) : hostileValue(random);
  }
}

function objectValue(random: SeededRandom, schema: SchemaNode, root: SchemaNode, options: ValueOptions, depth: number) {
  const required = new Set(schema.required ?? []);
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (required.has(name) ? random.chance(0.95) : random.chance(0.5))
      value[name] = schemaValue(random, property, root, options, depth + 1);
  }
  if (random.chance(0.15)) {
    // defineProperty: assigning to "__proto__" would set the prototype instead of sending the key.
    const key = random.pick(["extra", "__proto__", "kind", "environment", ...HOSTILE_STRINGS.slice(0, 8)]);
    Object.defineProperty(value, key, { value: hostileValue(random), enumerable: true, configurable: true, writable: true });
  }
  return value;
}
