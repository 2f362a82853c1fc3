import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ContextSample } from "./context-sample";
import { booleanFlag, snapshot } from "./testing/fixtures";
import { type Harness, harness } from "./testing/harness";

const planRule = {
  ...booleanFlag("pro-only", true),
  rules: [{ id: "pro", conditions: [{ attribute: "plan", operator: "in" as const, values: ["pro"] }], serve: { variation: 0 } }],
  fallthrough: { variation: 1 },
};
const regionRule = {
  ...booleanFlag("eu-only", true),
  rules: [{ id: "eu", conditions: [{ attribute: "region", operator: "in" as const, values: ["eu"] }], serve: { variation: 0 } }],
  fallthrough: { variation: 1 },
};

describe("the context sample sent with metrics", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: snapshot(1, [planRule, regionRule]) });
  });
  afterEach(() => h.cleanup());

  it("keeps the key and the attributes rules read, never a private attribute or one no rule reads", async () => {
    const client = h.client({ privateAttributes: ["region"] });
    await client.ready();
    client.isEnabled("pro-only", { key: "ada", plan: "pro", region: "eu", email: "ada@example.com" });
    client.variation("eu-only", { key: "ada", plan: "pro", region: "eu" }, false);
    client.isEnabled("pro-only", { targetingKey: "bob", plan: "free" });
    client.isEnabled("pro-only", { plan: "free" }); // no key: evaluated and counted, never sampled
    await client.close();
    // toHaveProperty compares with equality: an extra attribute would fail it.
    expect(h.server.metrics.at(-1)).toHaveProperty("contexts", [
      { context: { key: "ada", plan: "pro" }, count: 2 },
      { context: { key: "bob", plan: "free" }, count: 1 },
    ]);
  });

  it("keeps the nested values attribute paths read, nested, minus private paths", async () => {
    const nestedRule = {
      ...booleanFlag("corp-only", true),
      rules: [
        {
          id: "corp",
          conditions: [
            { attribute: "user.email", operator: "endsWith" as const, values: ["@example.com"] },
            { attribute: "user.address.country", operator: "in" as const, values: ["DE"] },
          ],
          serve: { variation: 0 },
        },
      ],
      fallthrough: { variation: 1 },
    };
    const nested = await harness({ snapshot: snapshot(1, [nestedRule]) });
    try {
      const client = nested.client({ privateAttributes: ["user.address"] });
      await client.ready();
      const user = { email: "ada@example.com", phone: "+49 30 1", address: { country: "DE", city: "Berlin" } };
      client.isEnabled("corp-only", { key: "ada", user, plan: "pro" });
      await client.close();
      expect(nested.server.metrics.at(-1)).toHaveProperty("contexts", [
        { context: { key: "ada", user: { email: "ada@example.com" } }, count: 1 },
      ]);
    } finally {
      await nested.cleanup();
    }
  });

  it("goes unsent, and the counts go again without it, when the server is older than the field", async () => {
    h.server.refuseContexts = true;
    const client = h.client();
    await client.ready();
    client.isEnabled("pro-only", { key: "ada", plan: "pro" });
    await client.close();
    expect(h.server.metrics).toHaveLength(1);
    expect(h.server.metrics.at(-1)).not.toHaveProperty("contexts");
    expect(h.server.metrics.at(-1)).toMatchObject({ evaluations: [{ flag: "pro-only", variation: 0, count: 1 }] });
  });

  it("is not sent with sendContexts: false", async () => {
    const client = h.client({ sendContexts: false });
    await client.ready();
    client.isEnabled("pro-only", { key: "ada", plan: "pro" });
    await client.close();
    expect(h.server.metrics.at(-1)).not.toHaveProperty("contexts");
    expect(h.server.metrics.at(-1)).toMatchObject({ evaluations: [{ flag: "pro-only", variation: 0, count: 1 }] });
  });
});

describe("ContextSample", () => {
  const attributes = () => ["key"];

  it("records a few thousand of 50,000 evaluations, weighted so they still add up to all of them", () => {
    const sample = new ContextSample(new Set(), 10_000);
    for (let i = 0; i < 50_000; i++) sample.offer({ key: `user-${i % 5_000}` }, attributes);
    const taken = sample.take();
    // Strides 1, 2, 4 … 32: each record stands for the evaluations since the one before.
    const total = taken.reduce((sum, c) => sum + c.count, 0);
    expect(total).toBeGreaterThan(50_000 - 32);
    expect(total).toBeLessThanOrEqual(50_000);
    expect(sample.take()).toEqual([]);
  });

  it("holds at most its capacity", () => {
    const sample = new ContextSample(new Set(), 100);
    for (let i = 0; i < 5_000; i++) sample.offer({ key: `user-${i}` }, attributes);
    expect(sample.take()).toHaveLength(100);
  });

  it("replaces held contexts as new ones arrive (a reservoir), instead of keeping only the first", () => {
    const sample = new ContextSample(new Set(), 10, () => 0);
    for (let i = 0; i < 20; i++) sample.offer({ key: `user-${i}` }, attributes);
    expect(sample.take().map((c) => c.context.key)).toContain("user-19");
  });
});
