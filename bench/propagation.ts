import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchSuite } from "./bench-suite";
import type { ReceiverCommand, ReceiverMessage } from "./propagation-receiver";
import { startBenchServer, type BenchServer } from "./server-process";

const TOGGLES = 20;
const COUNTS = (process.env.PROPAGATION_STREAMS ?? "1,100,1000,5000").split(",").map(Number);
/** Receiving processes: one client event loop parsing 10,000 streams would be what the figure measures. */
const RECEIVERS = Number(process.env.PROPAGATION_RECEIVERS ?? 2);
const receiverScript = fileURLToPath(new URL("./propagation-receiver.ts", import.meta.url));
const now = () => performance.timeOrigin + performance.now();

interface Receiver {
  child: ChildProcess;
  command(command: ReceiverCommand): void;
  next<T extends ReceiverMessage["type"]>(type: T): Promise<Extract<ReceiverMessage, { type: T }>>;
  completed: Set<number>;
}

function startReceiver(): Receiver {
  const child = fork(receiverScript, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map<string, (message: ReceiverMessage) => void>();
  const receiver: Receiver = {
    child,
    completed: new Set(),
    command: (command) => void child.send(command),
    next: (type) =>
      new Promise((resolve, reject) => {
        waiting.set(type, resolve as (message: ReceiverMessage) => void);
        waiting.set("error", (message) => reject(new Error(message.type === "error" ? message.message : "receiver failed")));
      }),
  };
  child.on("message", (message: ReceiverMessage) => {
    if (message.type === "complete") receiver.completed.add(message.toggle);
    waiting.get(message.type)?.(message);
  });
  return receiver;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(count: number, port: number): Promise<string> {
  const server = await startBenchServer(port);
  const receivers = Array.from({ length: Math.min(RECEIVERS, count) }, startReceiver);
  try {
    await server.api("POST", "/api/flags", { key: "propagated" });
    const token = String((await server.api("POST", "/api/tokens", { name: "bench", kind: "server", environment: "production" })).token);
    await new Promise((r) => setTimeout(r, 500));
    const before = await server.memoryAfterGc();
    await Promise.all(
      receivers.map((receiver, i) => {
        const opened = receiver.next("opened");
        const share = Math.floor(count / receivers.length) + (i < count % receivers.length ? 1 : 0);
        receiver.command({ type: "open", url: server.url, token, count: share });
        return opened;
      }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await server.memoryAfterGc();
    const started: number[] = [];
    /** Admin request sent → its answer: the write, the refresh and the server's writes to every socket (they happen before it answers). */
    const answered: number[] = [];
    // Toggle 0 is the first change the server streams after it started (code paths not yet
    // optimized): reported on its own, and the figures are of the next TOGGLES.
    for (let toggle = 0; toggle <= TOGGLES; toggle++) {
      started.push(now());
      await server.api("PATCH", "/api/flags/propagated/environments/production", { enabled: toggle % 2 === 0 });
      answered.push(now() - (started[toggle] ?? 0));
      const deadline = now() + 10_000;
      while (!receivers.every((r) => r.completed.has(toggle)) && now() < deadline) await new Promise((r) => setTimeout(r, 1));
    }
    const reports = await Promise.all(
      receivers.map((receiver) => {
        const report = receiver.next("report");
        receiver.command({ type: "report" });
        return report;
      }),
    );
    const latencies: number[] = [];
    const first: number[] = [];
    for (const { patches } of reports)
      for (const stream of patches)
        for (let toggle = 0; toggle <= TOGGLES; toggle++)
          (toggle === 0 ? first : latencies).push((stream[toggle] ?? Number.POSITIVE_INFINITY) - (started[toggle] ?? 0));
    latencies.sort((a, b) => a - b);
    first.sort((a, b) => a - b);
    answered.shift();
    answered.sort((a, b) => a - b);
    const perStream = (bytes: number) => (count >= 100 ? (bytes / count / 1024).toFixed(1).padStart(5) : "    -");
    return (
      `${String(count).padStart(6)} streams  p50 ${percentile(latencies, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(latencies, 99).toFixed(1).padStart(7)} ms  ` +
      `max ${(latencies.at(-1) ?? Number.NaN).toFixed(1).padStart(7)} ms  first change max ${(first.at(-1) ?? Number.NaN).toFixed(1).padStart(6)} ms  admin answer p50 ${percentile(answered, 50).toFixed(1).padStart(6)} ms  ` +
      `server heap/stream ${perStream(after.heapBytes - before.heapBytes)} KB  rss/stream ${perStream(after.rssBytes - before.rssBytes)} KB`
    );
  } finally {
    for (const receiver of receivers) {
      if (receiver.child.connected) receiver.command({ type: "close" });
    }
    await Promise.all(receivers.map((r) => (r.child.exitCode === null ? new Promise((done) => r.child.once("exit", done)) : undefined)));
    await server.stop();
  }
}

export const propagationBench: BenchSuite = {
  name: "propagation",
  description: `a flag toggled ${TOGGLES} times through the admin API (after a first toggle, reported apart); time until every SDK stream saw each change (latency includes the admin write; the streams are read by ${RECEIVERS} receiving processes, PROPAGATION_RECEIVERS). Targets: p99 ≤ 50 ms at 1,000 streams, ≤ 250 ms at 10,000; ≤ 10 KB per stream`,
  async run() {
    for (const [i, count] of COUNTS.entries()) console.log(await measure(count, 4500 + i));
  },
};
