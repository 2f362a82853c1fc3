/*
 * Run as a separate process by close.test.ts: exercises a client through a put, a dropped
 * stream (EventSource's own reconnect path), a patch, metrics and a backup file, closes it,
 * and prints what still keeps the event loop alive. Prints JSON on its last line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "../client";
import { FAKE_TOKEN, startFakeServer } from "./fake-server";
import { booleanFlag, recordingLogger, snapshot } from "./fixtures";

const server = await startFakeServer({ snapshot: snapshot(1, [booleanFlag("on", true)]), heartbeatMs: 20 });
const folder = await mkdtemp(join(tmpdir(), "switchyard-probe-"));
const client = createClient({
  url: server.url,
  token: FAKE_TOKEN,
  logger: recordingLogger(),
  backupFile: join(folder, "flags.json"),
  initialRetryDelayMs: 10,
  maxRetryDelayMs: 20,
  metricsIntervalMs: 30,
  heartbeatTimeoutMs: 200,
});
await client.ready();
server.dropStreams();
while (server.streams.length < 2 || server.openStreams().length === 0) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const changed = new Promise((resolve) => client.on("change", resolve));
server.patchFlag(booleanFlag("on", false, 2));
await changed;
client.isEnabled("on", { key: "u1" });
client.track("request", { key: "u1" });
await client.close();
await server.close();
await rm(folder, { recursive: true, force: true });
await new Promise((resolve) => setImmediate(resolve));
console.log(
  JSON.stringify({
    // The standard streams are pipes or terminals of the parent, not the client's.
    resources: process.getActiveResourcesInfo().filter((type) => type !== "PipeWrap" && type !== "TTYWrap"),
    streamsClosed: server.streams.every((stream) => stream.isClosed()),
    reports: server.metrics.length,
  }),
);
