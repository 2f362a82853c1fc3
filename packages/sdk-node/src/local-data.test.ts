import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "./client";
import { deadServerUrl, FAKE_TOKEN } from "./testing/fake-server";
import { booleanFlag, recordingLogger, snapshot, staticFlag } from "./testing/fixtures";
import { type Harness, harness, nextEvent, TEST_CLIENT_OPTIONS } from "./testing/harness";

const serverData = snapshot(5, [booleanFlag("on", true), staticFlag("color", ["red", "green"], 1)]);
const bootstrap = snapshot(3, [booleanFlag("on", false), staticFlag("color", ["red", "green"], 1)]);

describe("bootstrap", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: serverData });
  });
  afterEach(() => h.cleanup());

  it("is served at once, before ready, then replaced by the server's data", async () => {
    h.server.holdStreams = true;
    const client = h.client({ bootstrap });
    expect(client.isEnabled("on")).toBe(false);
    expect(client.variationDetail("on", undefined, true)).toStrictEqual({ value: false, variation: 1, variant: "1", reason: "DISABLED" });
    expect(client.configVersion()).toBe(3);
    const change = nextEvent(client, "change");
    h.server.releaseStreams();
    await client.ready();
    expect(await change).toStrictEqual([["on"]]);
    expect(client.isEnabled("on")).toBe(true);
    expect(client.configVersion()).toBe(5);
  });

  it("stays in force when ready times out", async () => {
    const logger = recordingLogger();
    const client = createClient({
      url: await deadServerUrl(),
      token: FAKE_TOKEN,
      logger,
      ...TEST_CLIENT_OPTIONS,
      bootstrap,
      readyTimeoutMs: 100,
    });
    await expect(client.ready()).rejects.toMatchObject({ code: "READY_TIMEOUT" });
    expect(client.isEnabled("on")).toBe(false);
    expect(client.variation("color", {}, "blue")).toBe("green");
    expect(logger.warnings).toContain("Switchyard sent no flag data within 100 ms; serving bootstrap data or defaults until it does");
    await client.close();
  });

  it("is ignored, with a warning, when it is not a flags body", async () => {
    const logger = recordingLogger();
    const client = createClient({
      url: await deadServerUrl(),
      token: FAKE_TOKEN,
      logger,
      ...TEST_CLIENT_OPTIONS,
      // Parsed boundary on purpose: untyped callers can pass anything.
      bootstrap: JSON.parse('{"version": 1, "flags": "nope", "segments": []}'),
    });
    expect(logger.warnings).toContain("Switchyard: ignoring the bootstrap option: flags is not an array");
    expect(client.variationDetail("on", undefined, true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "PROVIDER_NOT_READY" });
    await client.close();
  });
});

describe("backup file", () => {
  let h: Harness;
  let folder: string;
  beforeEach(async () => {
    h = await harness({ snapshot: serverData });
    folder = await mkdtemp(join(tmpdir(), "switchyard-backup-"));
  });
  afterEach(async () => {
    await h.cleanup();
    await rm(folder, { recursive: true, force: true });
  });

  async function readBackup(path: string): Promise<unknown> {
    return JSON.parse(await readFile(path, "utf8"));
  }

  it("is written after each update and serves a restart while the server is down", async () => {
    const backupFile = join(folder, "flags.json");
    const client = h.client({ backupFile });
    await client.ready();
    await vi.waitFor(async () => expect(await readBackup(backupFile)).toStrictEqual(serverData));
    h.server.patchFlag(booleanFlag("on", false, 2));
    await vi.waitFor(async () => expect(await readBackup(backupFile)).toMatchObject({ version: 6 }));
    await client.close();
    await h.server.close();
    expect(await readdir(folder)).toStrictEqual(["flags.json"]); // no temporary file left behind

    const logger = recordingLogger();
    const restarted = createClient({ url: await deadServerUrl(), token: FAKE_TOKEN, logger, ...TEST_CLIENT_OPTIONS, backupFile });
    // Served synchronously, before any network activity could have answered.
    expect(restarted.isEnabled("on")).toBe(false);
    expect(restarted.variation("color", {}, "blue")).toBe("green");
    expect(restarted.configVersion()).toBe(6);
    await restarted.ready();
    expect(restarted.dataAgeMs()).toBeGreaterThanOrEqual(0);
    await restarted.close();
  });

  it("wins over an older bootstrap, and is replaced by the server", async () => {
    const backupFile = join(folder, "flags.json");
    await writeFile(backupFile, JSON.stringify(snapshot(4, [booleanFlag("on", false), booleanFlag("backup-only", true)])));
    h.server.holdStreams = true;
    const client = h.client({ backupFile, bootstrap });
    expect(client.configVersion()).toBe(4);
    expect(client.isEnabled("backup-only")).toBe(true);
    await client.ready(); // the backup counts as data
    const change = nextEvent(client, "change");
    h.server.releaseStreams();
    expect(await change).toStrictEqual([["backup-only", "color", "on"]]);
    expect(client.isEnabled("on")).toBe(true);
  });

  it("is ignored, with a warning, when it is corrupt", async () => {
    const backupFile = join(folder, "flags.json");
    await writeFile(backupFile, "{ torn");
    const client = h.client({ backupFile });
    expect(h.logger.warnings).toContain(`Switchyard: ignoring the backup file ${backupFile}: not JSON`);
    await client.ready();
    expect(client.isEnabled("on")).toBe(true);
    await vi.waitFor(async () => expect(await readBackup(backupFile)).toStrictEqual(serverData));
  });

  it("reports a write failure without stopping", async () => {
    const backupFile = join(folder, "missing-folder", "flags.json");
    const client = h.client({ backupFile });
    const error = nextEvent(client, "error");
    await client.ready();
    const [emitted] = await error;
    expect(emitted.code).toBe("BACKUP_FILE");
    expect(emitted.message).toContain(`could not write the backup file ${backupFile}`);
    expect(client.isEnabled("on")).toBe(true);
  });
});
