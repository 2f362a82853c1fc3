import { describe, expect, it } from "vitest";
import { compile } from "./engine";
import { attributesUsed, sampleContext } from "./seen-context";
import type { Snapshot } from "./types";

describe("seen-context samples with attribute paths", () => {
  const snapshot: Snapshot = {
    flags: [
      {
        key: "corp",
        version: 1,
        variations: [true, false],
        enabled: true,
        offVariation: 1,
        rules: [
          {
            id: "email",
            conditions: [{ attribute: "user.email", operator: "endsWith", values: ["@example.com"] }],
            serve: { variation: 0 },
          },
          { id: "name", conditions: [{ attribute: "user.first\\.name", operator: "in", values: ["Ann"] }], serve: { variation: 0 } },
          { id: "legacy", conditions: [{ attribute: "app.version", operator: "exists", values: [] }], serve: { variation: 0 } },
        ],
        fallthrough: { rollout: { bucketBy: "org.id", weights: [50_000, 50_000] } },
      },
    ],
    segments: [],
  };
  const context = {
    targetingKey: "u1",
    user: { email: "ann@example.com", "first.name": "Ann", phone: "+49 30 1234", address: { city: "Berlin" } },
    org: { id: 42, name: "Acme" },
    "app.version": "2.0",
    secret: "s",
  };

  it("keeps the nested values the paths read, in the context's shape, and nothing else", () => {
    expect(attributesUsed(snapshot)).toEqual(["app.version", "key", "org.id", "user.email", "user.first\\.name"]);
    expect(sampleContext(context, attributesUsed(snapshot))).toStrictEqual({
      key: "u1",
      user: { email: "ann@example.com", "first.name": "Ann" },
      org: { id: 42 },
      "app.version": "2.0",
    });
  });

  it("evaluates a sample as the whole context evaluates", () => {
    const engine = compile(snapshot);
    const sample = sampleContext({ ...context, user: { phone: "1" } }, attributesUsed(snapshot));
    expect(sample).toStrictEqual({ key: "u1", org: { id: 42 }, "app.version": "2.0" });
    const bucketed = sampleContext({ key: "u2", org: { id: 42 } }, attributesUsed(snapshot));
    expect(bucketed && engine.evaluate("corp", bucketed)).toEqual(engine.evaluate("corp", { key: "u2", org: { id: 42, name: "Acme" } }));
  });

  it("withholds a private attribute and every path under it", () => {
    expect(sampleContext(context, attributesUsed(snapshot), new Set(["user"]))).toStrictEqual({
      key: "u1",
      org: { id: 42 },
      "app.version": "2.0",
    });
    expect(sampleContext(context, attributesUsed(snapshot), new Set(["user.email", "app.version"]))).toStrictEqual({
      key: "u1",
      user: { "first.name": "Ann" },
      org: { id: 42 },
    });
  });

  it("keeps a key named __proto__ as data, never as a prototype", () => {
    const parsed: unknown = JSON.parse('{"key":"u1","__proto__":{"polluted":true}}');
    const sample = sampleContext(parsed as Record<string, unknown>, ["__proto__.polluted"]);
    expect(JSON.stringify(sample)).toBe('{"key":"u1","__proto__":{"polluted":true}}');
    expect(Object.getPrototypeOf(sample)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
