import { availableParallelism } from "node:os";
import type { BenchSuite } from "./bench-suite";
import { printTable } from "./harness";
import { openFilesFor, openFilesLimit, planOpenFiles } from "./open-files";
import { cpuSince } from "./process-cpu";
import { collectPatches, openStreams, startReceiver, stopReceivers, type Receiver } from "./propagation-receivers";
import { startBenchRelay, startBenchServer, type BenchRelay, type BenchServer } from "./server-process";

const TOGGLES = 20;

/** A comma-separated list of stream counts; "" for none (e.g. PROPAGATION_RELAY_STREAMS= skips the relays). */
function counts(name: string, fallback: string): number[] {
  const setting = process.env[name] ?? fallback;
  const parsed = setting === "" ? [] : setting.split(",").map(Number);
  if (parsed.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`${name}: expected stream counts like 1000,10000, got '${setting}'`);
  return parsed;
}
function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a whole number ≥ 1, got '${process.env[name]}'`);
  return value;
}

const COUNTS = counts("PROPAGATION_STREAMS", "1,100,1000,5000");
const RELAY_COUNTS = counts("PROPAGATION_RELAY_STREAMS", "20000");
const RELAYS = positive("PROPAGATION_RELAYS", 2);
/** Receiving processes: one client event loop parsing 10,000 streams would be what the figure measures. */
const RECEIVERS = positive("PROPAGATION_RECEIVERS", 2);
const SDK_STREAMS = 'switchyard_open_streams{kind="sdk"}';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  scenario: string;
  streams: number;
  /** Toggle → every stream has it, toggles 1…TOGGLES, sorted. */
  latencies: number[];
  /** The same for toggle 0, the first change the server streams after it started. */
  first: number[];
  /** Admin request sent → answered, toggles 1…TOGGLES, sorted. */
  answered: number[];
  /** Heap and RSS growth per open stream of the process serving the streams (the worst relay's). */
  heapPerStream: number;
  rssPerStream: number;
  serverSdkStreams: number;
  /** CPU milliseconds each process used per toggle (the first one included). */
  cpu: string;
  /** Every process's CPU per toggle over the machine's cores: the least a toggle takes here if it all ran in parallel. */
  cpuFloorMs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const shares = (count: number, parts: number) =>
  Array.from({ length: parts }, (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0));
const cpuText = (values: number[]) => values.map((v) => (Number.isNaN(v) ? "-" : v.toFixed(0))).join("/");

/**
 * Toggles the flag TOGGLES + 1 times through the server's admin API, each after every stream saw
 * the last, and collects what the receivers saw; `watched` are the processes whose CPU is reported.
 */
async function toggle(
  server: BenchServer,
  receivers: readonly Receiver[],
  watched: Record<string, (number | undefined)[]>,
): Promise<Pick<Row, "latencies" | "first" | "answered" | "cpu" | "cpuFloorMs">> {
  const started: number[] = [];
  /** Admin request sent → its answer: the write, the refresh and the server's writes to every socket (they happen before it answers). */
  const answered: number[] = [];
  const cpu = cpuSince(Object.values(watched).flat());
  // Toggle 0 is the first change the server streams after it started (code paths not yet
  // optimized): reported on its own, and the figures are of the next TOGGLES.
  for (let toggle = 0; toggle <= TOGGLES; toggle++) {
    started.push(now());
    await server.api("PATCH", "/api/flags/propagated/environments/production", { enabled: toggle % 2 === 0 });
    answered.push(now() - (started[toggle] ?? 0));
    const deadline = now() + 10_000;
    while (!receivers.every((r) => r.completed.has(toggle)) && now() < deadline) await sleep(1);
  }
  const used = cpu().map((ms) => ms / (TOGGLES + 1));
  const cpuFloorMs = used.reduce((sum, ms) => sum + ms, 0) / availableParallelism();
  const cpuPerToggle = Object.entries(watched)
    .map(([name, pids]) => `${name} ${cpuText(used.splice(0, pids.length))}`)
    .join(" ");
  const latencies: number[] = [];
  const first: number[] = [];
  for (const patches of await collectPatches(receivers))
    for (const stream of patches)
      for (let toggle = 0; toggle <= TOGGLES; toggle++)
        (toggle === 0 ? first : latencies).push((stream[toggle] ?? Number.POSITIVE_INFINITY) - (started[toggle] ?? 0));
  answered.shift();
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  return { latencies: sorted(latencies), first: sorted(first), answered: sorted(answered), cpu: cpuPerToggle, cpuFloorMs };
}

async function setUpFlag(server: BenchServer): Promise<string> {
  await server.api("POST", "/api/flags", { key: "propagated" });
  return String((await server.api("POST", "/api/tokens", { name: "bench", kind: "server", environment: "production" })).token);
}

/** SDK streams on the server itself. */
async function serverAlone(count: number, port: number, openFiles: number | undefined): Promise<Row> {
  const server = await startBenchServer(port, {}, openFiles);
  const receivers = Array.from({ length: Math.min(RECEIVERS, count) }, () => startReceiver(openFiles));
  try {
    const token = await setUpFlag(server);
    await sleep(500);
    const before = await server.memoryAfterGc();
    await openStreams(receivers, [server.url], token, count);
    await sleep(1_000);
    const after = await server.memoryAfterGc();
    const serverSdkStreams = await server.gauge(SDK_STREAMS);
    const pids = { server: [server.child.pid], receivers: receivers.map((r) => r.child.pid), bench: [process.pid] };
    return {
      scenario: "server alone",
      streams: count,
      ...(await toggle(server, receivers, pids)),
      heapPerStream: (after.heapBytes - before.heapBytes) / count,
      rssPerStream: (after.rssBytes - before.rssBytes) / count,
      serverSdkStreams,
    };
  } finally {
    await stopReceivers(receivers);
    await server.stop();
  }
}

/** SDK streams on RELAYS relays, each following the server with one upstream stream. */
async function throughRelays(count: number, port: number, receiverCount: number, openFiles: number | undefined): Promise<Row> {
  const server = await startBenchServer(port);
  const relays: BenchRelay[] = [];
  const receivers: Receiver[] = [];
  try {
    const sdkToken = await setUpFlag(server);
    const relayToken = await server.api("POST", "/api/tokens", { kind: "relay", name: "bench-relay", environments: ["production"] });
    const started = await Promise.allSettled(
      Array.from({ length: RELAYS }, (_, i) =>
        startBenchRelay({
          port: port + 1 + i,
          server,
          relayToken: String(relayToken.token),
          relayId: `bench-relay-${i}`,
          sdkToken,
          openFiles,
        }),
      ),
    );
    for (const result of started) if (result.status === "fulfilled") relays.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    receivers.push(...Array.from({ length: receiverCount }, () => startReceiver(openFiles)));
    await sleep(500);
    const before = await Promise.all(relays.map((relay) => relay.memoryAfterGc()));
    await openStreams(
      receivers,
      relays.map((relay) => relay.url),
      sdkToken,
      count,
    );
    await sleep(1_000);
    const after = await Promise.all(relays.map((relay) => relay.memoryAfterGc()));
    const onRelays = await Promise.all(relays.map((relay) => relay.gauge(SDK_STREAMS)));
    const serverSdkStreams = await server.gauge(SDK_STREAMS);
    const perStream = (key: "heapBytes" | "rssBytes") =>
      Math.max(...relays.map((_, i) => ((after[i]?.[key] ?? Number.NaN) - (before[i]?.[key] ?? Number.NaN)) / (onRelays[i] ?? Number.NaN)));
    const pids = {
      server: [server.child.pid],
      relays: relays.map((r) => r.child.pid),
      receivers: receivers.map((r) => r.child.pid),
      bench: [process.pid],
    };
    return {
      scenario: `${RELAYS} relays (${onRelays.join("+")} streams)`,
      streams: count,
      ...(await toggle(server, receivers, pids)),
      heapPerStream: perStream("heapBytes"),
      rssPerStream: perStream("rssBytes"),
      serverSdkStreams,
    };
  } finally {
    await stopReceivers(receivers);
    await Promise.all(relays.map((relay) => relay.stop()));
    await server.stop();
  }
}

function printRows(rows: Row[]): void {
  const ms = (value: number) => value.toFixed(1);
  const kb = (row: Row, bytes: number) => (row.streams >= 100 ? (bytes / 1024).toFixed(1) : "-");
  printTable([
    [
      "scenario",
      "streams",
      "p50 ms",
      "p99 ms",
      "max ms",
      "first change max ms",
      "admin answer p50 ms",
      "heap/stream KB",
      "rss/stream KB",
      "server SDK streams",
      "CPU ms per toggle",
    ],
    ...rows.map((row) => [
      row.scenario,
      String(row.streams),
      ms(percentile(row.latencies, 50)),
      ms(percentile(row.latencies, 99)),
      ms(row.latencies.at(-1) ?? Number.NaN),
      ms(row.first.at(-1) ?? Number.NaN),
      ms(percentile(row.answered, 50)),
      kb(row, row.heapPerStream),
      kb(row, row.rssPerStream),
      String(row.serverSdkStreams),
      row.cpu,
      ms(row.cpuFloorMs),
    ]),
  ]);
}

export const propagationBench: BenchSuite = {
  name: "propagation",
  description:
    `a flag toggled ${TOGGLES} times through the admin API (after a first toggle, reported apart); time until every SDK stream saw each change ` +
    `(latency includes the admin write; the streams are read by ${RECEIVERS} receiving processes, PROPAGATION_RECEIVERS), on the server alone ` +
    `(PROPAGATION_STREAMS) and through ${RELAYS} relays (PROPAGATION_RELAYS) following it (PROPAGATION_RELAY_STREAMS). Targets: server alone p99 ≤ 50 ms ` +
    "at 1,000 streams, ≤ 250 ms at 10,000; through relays p99 ≤ 250 ms at 20,000 over 2 relays; ≤ 10 KB per stream on the server and on a relay",
  async run() {
    const rows: Row[] = [];
    const skipped: string[] = [];
    for (const [i, count] of COUNTS.entries()) {
      const plan = planOpenFiles(openFilesFor(count));
      if (plan.problem !== undefined) skipped.push(`server alone, ${count} streams: ${plan.problem}`);
      else rows.push(await serverAlone(count, 4500 + i, plan.raiseTo));
    }
    // At least one receiver per relay, and as many per relay: each relay serves the same share.
    const receiverCount = Math.ceil(RECEIVERS / RELAYS) * RELAYS;
    for (const [i, count] of RELAY_COUNTS.entries()) {
      const plan = planOpenFiles(openFilesFor(Math.ceil(count / RELAYS)));
      if (plan.problem !== undefined) skipped.push(`through ${RELAYS} relays, ${count} streams: ${plan.problem}`);
      else rows.push(await throughRelays(count, 4520 + 20 * i, receiverCount, plan.raiseTo));
    }
    printRows(rows);
    for (const problem of skipped) console.log(`SKIPPED ${problem}`);
    const limit = openFilesLimit();
    console.log(
      [
        "",
        "heap/stream, rss/stream: growth after a full GC per open stream of the process serving it (through relays: the worst relay's, per stream on it).",
        `server SDK streams: switchyard_open_streams{kind="sdk"} on the server while the streams are open (through relays: the relays' upstreams).`,
        "CPU ms per toggle: what each process used (all its threads, GC included) while the flag was toggled, divided by the toggles.",
        `all CPU / cores: their sum over this machine's ${availableParallelism()} cores, about the least a toggle can take here until its last stream`,
        "has it (compare with p99 and max): where they are close, the figure measures the machine, not the fan-out. The server, the relays,",
        "the receiving processes (parsing every event of every stream: about as much work as writing it) and this one share these cores.",
        "Through relays the server writes one event per relay and each relay writes to its share of the streams: relays on machines of",
        "their own each bring their cores, and a toggle then costs about one relay's CPU ms. Open files: one per stream in the serving",
        "process and one in the receiving one",
        `(ulimit -n here: ${limit.soft}, hard ${limit.hard}; a child needing more is started with a raised limit when allowed).`,
      ].join("\n"),
    );
  },
};
