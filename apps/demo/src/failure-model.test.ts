import { describe, expect, it } from "vitest";
import { FailureModel, describeMode, failureOneIn, isFailureMode, type CheckoutPath, type FailureMode } from "./failure-model";

function errorsPer1000(mode: FailureMode, path: CheckoutPath): number {
  const model = new FailureModel(mode);
  let errors = 0;
  for (let i = 0; i < 1000; i++) if (model.fails(path)) errors += 1;
  return errors;
}

describe("the failure model", () => {
  it("fails exactly 0.5% at baseline and 20% on a broken path", () => {
    expect(errorsPer1000("healthy", "new")).toBe(5);
    expect(errorsPer1000("healthy", "old")).toBe(5);
    expect(errorsPer1000("flagged", "new")).toBe(200);
    expect(errorsPer1000("flagged", "old")).toBe(5);
    expect(errorsPer1000("everything", "new")).toBe(200);
    expect(errorsPer1000("everything", "old")).toBe(200);
  });

  it("counts each path on its own, so the old path's rate does not depend on the new path's traffic", () => {
    const model = new FailureModel("flagged");
    const old: boolean[] = [];
    for (let i = 0; i < 400; i++) {
      model.fails("new");
      old.push(model.fails("old"));
    }
    expect(old.filter(Boolean)).toHaveLength(2);
  });

  it("switches mode at once, keeping the counters", () => {
    const model = new FailureModel();
    for (let i = 0; i < 4; i++) expect(model.fails("new")).toBe(false);
    model.mode = "flagged";
    expect(model.fails("new")).toBe(true); // the 5th request on the path
    model.mode = "healthy";
    for (let i = 0; i < 194; i++) expect(model.fails("new")).toBe(false);
    expect(model.fails("new")).toBe(true); // the 200th
  });

  it("knows its modes and says what each does", () => {
    expect(["healthy", "flagged", "everything", "constructor", "broken"].map(isFailureMode)).toEqual([true, true, true, false, false]);
    expect(failureOneIn("flagged", "old")).toBe(200);
    expect(describeMode("healthy")).toBe("healthy: both checkout paths fail 0.5% of requests");
    expect(describeMode("flagged")).toBe("flagged: the new checkout path fails 20% of requests, the old path 0.5%");
    expect(describeMode("everything")).toBe("everything: both checkout paths fail 20% of requests");
  });
});
