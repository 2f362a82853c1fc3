import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { booleanFlag, snapshot } from "./testing/fixtures";
import { type Harness, harness } from "./testing/harness";

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL("..", import.meta.url));

describe("close()", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ snapshot: snapshot(1, [booleanFlag("on", true)]) });
  });
  afterEach(() => h.cleanup());

  it("closes the stream connection, sends the last report, and keeps serving the last data", async () => {
    const client = h.client();
    await client.ready();
    client.isEnabled("on", { key: "u1" });
    const [stream] = h.server.streams;
    await client.close();
    await stream?.closed;
    expect(h.server.openStreams()).toHaveLength(0);
    expect(h.server.metrics.at(-1)).toMatchObject({ evaluations: [{ flag: "on", variation: 0, count: 1 }] });
    expect(client.isEnabled("on")).toBe(true);
    await client.close(); // idempotent
  });

  it("rejects a pending ready()", async () => {
    h.server.holdStreams = true;
    const client = h.client();
    const ready = client.ready();
    await client.close();
    await expect(ready).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("leaves nothing that keeps the process alive", async () => {
    // In a separate process: the test runner's own handles would hide a leaked timer or socket.
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/testing/close-probe.ts"], {
      cwd: packageRoot,
      timeout: 20_000,
    });
    const lastLine = stdout.trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(lastLine)).toStrictEqual({ resources: [], streamsClosed: true, reports: expect.any(Number) });
  }, 30_000);
});
