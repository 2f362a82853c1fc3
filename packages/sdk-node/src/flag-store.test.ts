import { describe, expect, it } from "vitest";
import { DataSources, FlagStore } from "./flag-store";
import { booleanFlag, segment, segmentFlag, snapshot } from "./testing/fixtures";

const withPrerequisite = { ...booleanFlag("child", true), prerequisites: [{ flag: "beta", variation: 0 }] };
const initial = snapshot(10, [booleanFlag("on", true), segmentFlag("beta", "testers"), withPrerequisite], [segment("testers", [])]);

function loaded(): FlagStore {
  const store = new FlagStore();
  store.apply({ kind: "put", snapshot: initial }, DataSources.SERVER, 0);
  return store;
}

describe("FlagStore", () => {
  it("reports flags depending on a changed segment, transitively through prerequisites", () => {
    const store = loaded();
    const result = store.apply({ kind: "patch-segment", version: 11, segment: segment("testers", ["ann"], 2) }, DataSources.SERVER, 1);
    expect(result).toStrictEqual({ applied: true, previousSource: "server", changedKeys: ["beta", "child"] });
    expect(store.engine.evaluate("child", { key: "ann" }).value).toBe(true);
  });

  it("reports nothing for a patch that changes nothing, but takes its version", () => {
    const store = loaded();
    const result = store.apply({ kind: "patch-flag", version: 11, flag: booleanFlag("on", true) }, DataSources.SERVER, 1);
    expect(result).toStrictEqual({ applied: true, previousSource: "server", changedKeys: [] });
    expect(store.version).toBe(11);
  });

  it("diffs a put against what it held", () => {
    const store = loaded();
    const next = snapshot(
      12,
      [booleanFlag("on", false, 2), segmentFlag("beta", "testers"), booleanFlag("new", true)],
      [segment("testers", [])],
    );
    const result = store.apply({ kind: "put", snapshot: next }, DataSources.SERVER, 1);
    expect(result).toStrictEqual({ applied: true, previousSource: "server", changedKeys: ["child", "new", "on"] });
  });

  it("ignores updates that are not newer, except a server put replacing bootstrap or backup data", () => {
    const store = loaded();
    expect(store.apply({ kind: "delete-flag", version: 10, key: "on" }, DataSources.SERVER, 1)).toStrictEqual({ applied: false });
    expect(store.apply({ kind: "put", snapshot: snapshot(9, []) }, DataSources.SERVER, 1)).toStrictEqual({ applied: false });
    expect(store.engine.has("on")).toBe(true);

    const fromBackup = new FlagStore();
    fromBackup.apply({ kind: "put", snapshot: initial }, DataSources.BACKUP, 0);
    const reset = fromBackup.apply({ kind: "put", snapshot: snapshot(3, [booleanFlag("on", true)]) }, DataSources.SERVER, 1);
    expect(reset).toMatchObject({ applied: true, previousSource: "backup" });
    expect(fromBackup.version).toBe(3);
  });

  it("takes a server put from another database history although its version is lower, and only then", () => {
    const store = new FlagStore();
    store.apply({ kind: "put", snapshot: { ...initial, epoch: "aaaaaaaaaaaa" } }, DataSources.SERVER, 0);
    const sameHistory = store.apply({ kind: "put", snapshot: { ...snapshot(4, []), epoch: "aaaaaaaaaaaa" } }, DataSources.SERVER, 1);
    expect(sameHistory).toStrictEqual({ applied: false });

    const restored = store.apply(
      { kind: "put", snapshot: { ...snapshot(4, [booleanFlag("on", false)]), epoch: "bbbbbbbbbbbb" } },
      DataSources.SERVER,
      2,
    );
    expect(restored).toMatchObject({ applied: true, historyChanged: { from: "aaaaaaaaaaaa", to: "bbbbbbbbbbbb", previousVersion: 10 } });
    expect({ version: store.version, epoch: store.epoch, on: store.engine.evaluate("on", { key: "a" }).value }).toStrictEqual({
      version: 4,
      epoch: "bbbbbbbbbbbb",
      on: false,
    });
    expect(store.snapshot().epoch).toBe("bbbbbbbbbbbb");
    // Patches carry no epoch: within the new history they compare by version as before.
    expect(store.apply({ kind: "delete-flag", version: 3, key: "on" }, DataSources.SERVER, 3)).toStrictEqual({ applied: false });
  });

  it("knows the age of its data", () => {
    const store = new FlagStore();
    expect(store.ageMs(1_000)).toBeUndefined();
    store.apply({ kind: "put", snapshot: initial }, DataSources.SERVER, 1_000);
    store.confirm(4_000);
    expect(store.ageMs(5_000)).toBe(1_000);
  });
});
