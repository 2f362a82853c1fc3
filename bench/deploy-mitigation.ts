import { createClient, type FetchFunction, type SwitchyardClient } from "@switchyard/sdk-node";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { BenchSuite } from "./bench-suite";
import { gc, printTable } from "./harness";
import { benchBackends, startBenchServer, type BenchServer } from "./server-process";

/*
 * How long a bad deploy hurts: from the first breaching sample to the flag-off served by every
 * connected SDK. The real server runs in its own process with the deploy worker at its default
 * 1 s tick; N Node SDK clients (each its own instance, stream and metrics) run here.
 *
 * A (SDK counts, as in production with `track()`): a fresh flag with a 50/50 rollout, a deploy
 * guarding it (`error_rate` max 2 %, interval I), and from the deploy's registration on an
 * application fails 10 % of requests on the flag's new variation and 0.5 % on the off one, 400
 * requests/s spread over the clients. The worker copies the counts, the interval's cohorts
 * explain the breach, the flag goes off, the SDKs acknowledge.
 *
 * B (pushed samples): the pipeline pushes `error_rate` 0.08 to `POST /api/deploys/:id/signals`
 * every 250 ms. Without `track()` counts there are no cohorts: the guarded flag is probed (turned
 * off) at the first breaching interval — the same path from the decision on. (Samples that name
 * a flag and variation are accepted but are not used to compare cohorts; only counts are.)
 *
 * Per run: t0 = the first breaching event (A: the first `track("error")` on the new variation;
 * B: the first breaching sample sent), t1 = the flag-off written (`flagsOff[].disabledAt`),
 * t2 = acknowledged by all connected SDKs (the guard asks `acknowledgeRatio: 1`, so the stored
 * decision's `propagation.acknowledgedAt` is when the last one acknowledged). Client-side ground
 * truth is kept too: when each SDK's `change` fired and when its first report of the flag-off
 * version got its answer. Target (the issue): t2 − t0 ≤ one interval + 2 s. There is no peer
 * figure to compare: Argo Rollouts' and Flagger's analysis roll back a canary; they do not turn a
 * flag off or wait for SDKs to serve it.
 */

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(",").filter(Boolean).map(Number);
const CLIENT_COUNTS = list(process.env.MITIGATION_CLIENTS, "1,10,100");
const PUSHED_CLIENT_COUNTS = list(process.env.MITIGATION_PUSHED_CLIENTS, "10");
const RUNS = Number(process.env.MITIGATION_RUNS ?? 5);
const PUSHED_RUNS = Number(process.env.MITIGATION_PUSHED_RUNS ?? 3);
const INTERVAL_S = Number(process.env.MITIGATION_INTERVAL_S ?? 5);
/** SDK metrics period: how late counts reach the server (the SDK default is 60 s; see the notes printed). */
const METRICS_INTERVAL_MS = Number(process.env.MITIGATION_METRICS_MS ?? 1_000);
const TARGET_MS = INTERVAL_S * 1_000 + 2_000;
const WINDOW_S = INTERVAL_S * 6;
const MAX_ERROR_RATE = 0.02;
const REQUESTS_PER_SECOND = 400;
const TRAFFIC_TICK_MS = 50;
/** One error in this many requests: 10 % on the new variation, 0.5 % on the off one. */
const NEW_ONE_IN = 10;
const OFF_ONE_IN = 200;
const PUSH_EVERY_MS = 250;
const POLL_MS = 100;
/** A run that has not reached t2 by then failed (the decision comes at ~I, the acknowledgement ~2 s later). */
const RUN_TIMEOUT_MS = INTERVAL_S * 3_000 + 10_000;

interface Report {
  sentAt: number;
  answeredAt: number;
  version: number;
  /** `error` events attributed to the flag's new variation that this report carried. */
  newErrors: number;
  status: number;
}

interface Instance {
  client: SwitchyardClient;
  reports: Report[];
  /** When `change` fired with the run's flag now off (ground truth of "this SDK serves it"). */
  offAt: number | undefined;
  problems: number;
}

interface Run {
  ok: boolean;
  note: string;
  reason: string;
  t0: number;
  flush: number | undefined;
  intervalEnd: number;
  t1: number;
  t2: number;
  connected: number;
  acknowledged: number;
  changeFirst: number;
  changeLast: number;
  /** The last SDK's first report of the flag-off version, answered (client clock = server clock here). */
  ackTruth: number;
  /** Per SDK: its first report of the flag-off version sent − its `change` fired. */
  ackDelays: number[];
  /** Per SDK: that report's round trip. */
  ackRoundTrips: number[];
  /** This process's event-loop delay over the run (p99, max), ms: the SDKs and the load share it. */
  loopDelay: { p99: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A metrics report's body, as far as this bench reads it. */
interface MetricsBody {
  version?: number;
  events?: Array<{ event: string; flag?: string; variation?: number; count: number }>;
}

function instrumentedClient(server: BenchServer, token: string, flagOfRun: () => string): Instance {
  const instance: Instance = { client: undefined as never, reports: [], offAt: undefined, problems: 0 };
  const fetchAndRecord: FetchFunction = async (url, init) => {
    if (!url.endsWith("/api/sdk/metrics")) return fetch(url, init);
    const body = JSON.parse(String(init.body)) as MetricsBody;
    const flag = flagOfRun();
    const newErrors = (body.events ?? [])
      .filter((e) => e.event === "error" && e.flag === flag && e.variation === 0)
      .reduce((sum, e) => sum + e.count, 0);
    const sentAt = Date.now();
    const response = await fetch(url, init);
    instance.reports.push({ sentAt, answeredAt: Date.now(), version: body.version ?? 0, newErrors, status: response.status });
    return response;
  };
  const count = () => void (instance.problems += 1);
  instance.client = createClient({
    url: server.url,
    token,
    metricsIntervalMs: METRICS_INTERVAL_MS,
    fetch: fetchAndRecord,
    logger: { warn: count, error: count },
  });
  instance.client.on("change", (keys) => {
    const flag = flagOfRun();
    if (
      instance.offAt === undefined &&
      keys.includes(flag) &&
      instance.client.variationDetail(flag, { key: "probe" }, false).reason === "DISABLED"
    )
      instance.offAt = Date.now();
  });
  return instance;
}

/** 400 requests/s over the clients, round robin; errors as `track("error")` at the cohort's rate. Returns stop() and t0. */
function failingApplication(instances: Instance[], flag: string, run: number) {
  const perTick = (REQUESTS_PER_SECOND * TRAFFIC_TICK_MS) / 1_000;
  let next = 0;
  let seq = 0;
  const cohortRequests = [0, 0];
  let firstNewError: number | undefined;
  const tick = () => {
    for (let i = 0; i < perTick; i++) {
      const instance = instances[next++ % instances.length];
      if (instance === undefined) continue;
      const context = { key: `r${run}-u${seq++}` };
      const onNew = instance.client.isEnabled(flag, context);
      instance.client.track("request", context);
      const cohort = onNew ? 0 : 1;
      const n = cohortRequests[cohort] ?? 0;
      cohortRequests[cohort] = n + 1;
      if (n % (onNew ? NEW_ONE_IN : OFF_ONE_IN) === 0) {
        instance.client.track("error", context);
        if (onNew) firstNewError ??= Date.now();
      }
    }
  };
  tick();
  const timer = setInterval(tick, TRAFFIC_TICK_MS);
  return { stop: () => clearInterval(timer), t0: () => firstNewError };
}

/** The pipeline pushing a breaching service-wide `error_rate` every 250 ms. */
function pushingPipeline(server: BenchServer, deployId: string) {
  let first: number | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      first ??= Date.now();
      await server.api("POST", `/api/deploys/${deployId}/signals`, { signal: "error_rate", value: 0.08 });
      await sleep(PUSH_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
    t0: () => first,
  };
}

interface DeployBody {
  status: string;
  final: boolean;
  summary: string | null;
  flagsOff: Array<{ flag: string; disabledAt: string; configVersion: number; seq: number }>;
  propagation: Array<{ acknowledged: number; connected: number; acknowledgedAt: string | null }>;
  decision: {
    evidence: {
      flagActions: Array<{
        reason: string;
        decidedAt: string;
        disabledAt: string | null;
        propagation: { acknowledged: number; connected: number; acknowledgedAt: string | null } | null;
      }>;
    };
  } | null;
}

async function setUpFlag(server: BenchServer, environment: string, flag: string, instances: Instance[]): Promise<void> {
  await server.api("POST", "/api/flags", { key: flag });
  await server.api("PATCH", `/api/flags/${flag}/environments/${environment}`, {
    enabled: true,
    fallthrough: { rollout: { weights: [50_000, 50_000] } },
  });
  const deadline = Date.now() + 10_000;
  while (!instances.every((i) => i.client.variationDetail(flag, { key: "probe" }, false).reason === "SPLIT")) {
    if (Date.now() > deadline) throw new Error(`the SDKs did not receive ${flag}`);
    await sleep(20);
  }
}

const getDeploy = async (server: BenchServer, id: string) => (await server.api("GET", `/api/deploys/${id}`)) as unknown as DeployBody;

/**
 * One deploy: its load runs until every SDK fired `change` with the flag off and the deploy's
 * propagation shows all connected SDKs acknowledged it. Returns how to read the figures, once
 * the worker has stored the acknowledgements (its next tick; the next run need not wait for it).
 */
async function measureRun(
  server: BenchServer,
  environment: string,
  instances: Instance[],
  scenario: "counts" | "pushed",
  run: number,
  setFlag: (flag: string) => void,
): Promise<() => Promise<Run>> {
  const flag = `mitigation-${environment}-${run}`;
  setFlag(flag);
  await setUpFlag(server, environment, flag, instances);
  for (const instance of instances) {
    instance.reports = [];
    instance.offAt = undefined;
  }
  const created = (await server.api("POST", "/api/deploys", {
    service: "bench",
    version: `${scenario}-${run}`,
    environment,
    flags: [flag],
    // Counts: at least 100 requests (the default); pushed samples: one sample is a judgement (the default).
    guard: {
      windowSeconds: WINDOW_S,
      intervalSeconds: INTERVAL_S,
      checks: [{ signal: "error_rate", max: MAX_ERROR_RATE }],
      acknowledgeRatio: 1,
    },
  })) as unknown as { id: string };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const load = scenario === "counts" ? failingApplication(instances, flag, run) : pushingPipeline(server, created.id);
  const started = Date.now();
  let body: DeployBody | undefined;
  try {
    for (;;) {
      await sleep(POLL_MS);
      body = await getDeploy(server, created.id);
      const seen = body.propagation[0];
      const done =
        seen !== undefined && seen.connected > 0 && seen.acknowledged === seen.connected && instances.every((i) => i.offAt !== undefined);
      if (done || (body.final && body.status !== "mitigated") || Date.now() - started > RUN_TIMEOUT_MS) break;
    }
  } finally {
    await load.stop();
    loop.disable();
  }
  const loopDelay = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
  const t0 = load.t0() ?? started;
  const reports = instances.map((i) => i.reports);
  const offAts = instances.map((i) => i.offAt ?? Number.NaN);
  const waited = Date.now() - started;
  return async () => {
    const failed = (note: string): Run => ({ ...emptyRun, ok: false, note, t0, loopDelay });
    // The stored decision: the worker records the acknowledgements at its next tick.
    for (let i = 0; i < 30 && body !== undefined && body.decision?.evidence.flagActions[0]?.propagation?.acknowledgedAt == null; i++) {
      body = await getDeploy(server, created.id);
      if (body.decision?.evidence.flagActions[0]?.propagation?.acknowledgedAt == null) await sleep(POLL_MS);
    }
    const action = body?.decision?.evidence.flagActions[0];
    const off = body?.flagsOff[0];
    const stored = action?.propagation;
    if (body === undefined || action === undefined || off === undefined || stored?.acknowledgedAt == null) {
      return failed(`no acknowledged flag-off after ${(waited / 1000).toFixed(1)} s: ${body?.status ?? "?"} — ${body?.summary ?? ""}`);
    }
    const acking = reports.map((list) => list.filter((r) => r.version >= off.seq && r.status < 300));
    const earliest = (list: Report[], key: "sentAt" | "answeredAt") => Math.min(...list.map((r) => r[key]));
    const flushes = reports.flatMap((list) => list.filter((r) => r.newErrors > 0).map((r) => r.answeredAt));
    return {
      ok: true,
      note: stored.connected === instances.length ? "" : `connected ${stored.connected} of ${instances.length}`,
      reason: action.reason,
      t0,
      flush: flushes.length === 0 ? undefined : Math.min(...flushes),
      intervalEnd: Date.parse(action.decidedAt),
      t1: Date.parse(off.disabledAt),
      t2: Date.parse(stored.acknowledgedAt),
      connected: stored.connected,
      acknowledged: stored.acknowledged,
      changeFirst: Math.min(...offAts),
      changeLast: Math.max(...offAts),
      ackTruth: Math.max(...acking.map((list) => earliest(list, "answeredAt"))),
      ackDelays: acking.map((list, index) => earliest(list, "sentAt") - (offAts[index] ?? Number.NaN)),
      ackRoundTrips: acking.flatMap((list) => {
        const first = [...list].sort((a, b) => a.sentAt - b.sentAt)[0];
        return first === undefined ? [] : [first.answeredAt - first.sentAt];
      }),
      loopDelay,
    };
  };
}

const emptyRun: Run = {
  ok: false,
  note: "",
  reason: "",
  t0: 0,
  flush: undefined,
  intervalEnd: 0,
  t1: 0,
  t2: 0,
  connected: 0,
  acknowledged: 0,
  changeFirst: 0,
  changeLast: 0,
  ackTruth: 0,
  ackDelays: [],
  ackRoundTrips: [],
  loopDelay: { p99: 0, max: 0 },
};

const sorted = (values: number[]) => values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
const median = (values: number[]) => {
  const s = sorted(values);
  if (s.length === 0) return Number.NaN;
  const middle = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[middle] ?? Number.NaN) : ((s[middle - 1] ?? 0) + (s[middle] ?? 0)) / 2;
};
const max = (values: number[]) => sorted(values).at(-1) ?? Number.NaN;
const seconds = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "-");
const medianMax = (values: number[]) => `${seconds(median(values))} / ${seconds(max(values))}`;

async function measureConfiguration(
  server: BenchServer,
  scenario: "counts" | "pushed",
  clients: number,
  runs: number,
): Promise<{ row: string[]; details: string[] }> {
  const environment = `${scenario === "counts" ? "a" : "b"}-${clients}`;
  await server.api("POST", "/api/environments", { key: environment });
  const token = String((await server.api("POST", "/api/tokens", { name: `bench-${environment}`, kind: "server", environment })).token);
  let flagOfRun = "";
  gc();
  gc();
  const before = process.memoryUsage();
  const instances = Array.from({ length: clients }, () => instrumentedClient(server, token, () => flagOfRun));
  await Promise.all(instances.map((i) => i.client.ready()));
  await sleep(1_500); // their first acknowledgements
  gc();
  gc();
  const after = process.memoryUsage();
  const results: Run[] = [];
  try {
    const finishers: Array<() => Promise<Run>> = [];
    for (let run = 0; run < runs; run++)
      finishers.push(await measureRun(server, environment, instances, scenario, run, (flag) => (flagOfRun = flag)));
    // Before the SDKs disconnect: the engine counts the instances connected when it decides.
    for (const finish of finishers) results.push(await finish());
  } finally {
    await Promise.all(instances.map((i) => i.client.close()));
  }
  const ok = results.filter((r) => r.ok);
  const t2t0 = ok.map((r) => r.t2 - r.t0);
  const met = ok.filter((r) => r.t2 - r.t0 <= TARGET_MS).length;
  const row = [
    scenario === "counts" ? "A counts" : "B pushed",
    String(clients),
    `${ok.length}/${results.length}`,
    scenario === "counts" ? medianMax(ok.flatMap((r) => (r.flush === undefined ? [] : [r.flush - r.t0]))) : "-",
    medianMax(ok.map((r) => r.t1 - r.t0)),
    medianMax(ok.map((r) => r.t2 - r.t1)),
    medianMax(t2t0),
    `${met}/${results.length}`,
  ];
  const reasons = [...new Set(ok.map((r) => r.reason))].join(", ") || "-";
  const heapKb = (after.heapUsed - before.heapUsed) / clients / 1024;
  const details = [
    `${row[0]}, ${clients} SDK${clients === 1 ? "" : "s"} (flag turned off by reason: ${reasons}):`,
    `  t1 − end of the breaching interval (the worker ticks every 1 s)    ${medianMax(ok.map((r) => r.t1 - r.intervalEnd))}`,
    `  SDK change event − t1, first / last SDK                            ${medianMax(ok.map((r) => r.changeFirst - r.t1))}, ${medianMax(ok.map((r) => r.changeLast - r.t1))}`,
    `  each SDK's first report of the flag-off version, sent − its change  ${medianMax(ok.flatMap((r) => r.ackDelays))} (round trip ${medianMax(ok.flatMap((r) => r.ackRoundTrips))})`,
    `  the last SDK's first such report answered − t1                     ${medianMax(ok.map((r) => r.ackTruth - r.t1))} (the server's acknowledgedAt: ${medianMax(ok.map((r) => r.t2 - r.t1))})`,
    `  this process (SDKs and load): event-loop delay p99 ${medianMax(results.map((r) => r.loopDelay.p99))}, max ${medianMax(results.map((r) => r.loopDelay.max))}` +
      (clients >= 100 ? `; heap per SDK client ${heapKb.toFixed(0)} KB` : ""),
  ];
  const problems = instances.reduce((sum, i) => sum + i.problems, 0);
  if (problems > 0) details.push(`  ${problems} SDK warnings/errors logged`);
  for (const r of results) if (!r.ok || r.note !== "") details.push(`  run: ${r.note}`);
  return { row, details };
}

export const deployMitigationBench: BenchSuite = {
  name: "deploy-mitigation",
  description:
    `time from the first breaching sample (t0) to the flag-off written (t1) and acknowledged by every connected SDK (t2); ` +
    `interval ${INTERVAL_S} s, deploy worker tick 1 s, SDK metrics every ${METRICS_INTERVAL_MS} ms. Target (the issue): t2 − t0 ≤ interval + 2 s = ${TARGET_MS / 1000} s`,
  async run() {
    const backends = await benchBackends();
    for (const [index, backend] of backends.entries()) {
      const server = await startBenchServer(4600 + index, backend.env);
      const rows: string[][] = [
        ["scenario", "SDKs", "runs ok", "1st flush − t0", "t1 − t0 (off)", "t2 − t1 (acked)", "t2 − t0", `≤ ${TARGET_MS / 1000} s`],
      ];
      const details: string[] = [];
      try {
        for (const clients of CLIENT_COUNTS) {
          const result = await measureConfiguration(server, "counts", clients, RUNS);
          rows.push(result.row);
          details.push(...result.details);
        }
        for (const clients of PUSHED_CLIENT_COUNTS) {
          const result = await measureConfiguration(server, "pushed", clients, PUSHED_RUNS);
          rows.push(result.row);
          details.push(...result.details);
        }
      } finally {
        await server.stop();
        await backend.cleanup();
      }
      console.log(`${backend.name}: seconds, median / max over the runs\n`);
      printTable(rows);
      console.log("");
      for (const line of details) console.log(line);
      console.log(
        [
          "",
          't0: A, the first track("error") on the new variation (errors start as the deploy is registered, so the first interval is all bad);',
          "    B, the first breaching error_rate sample pushed (every 250 ms). 1st flush: the first SDK report carrying those errors, answered.",
          "t1: flagsOff[].disabledAt. t2: the stored decision's propagation.acknowledgedAt with acknowledgeRatio 1 (all connected SDKs).",
          `A: ${REQUESTS_PER_SECOND} requests/s over the SDKs, 10 % errors on the new variation, 0.5 % on the off one, check error_rate ≤ ${MAX_ERROR_RATE}.`,
          `Counts reach the server with each SDK metrics report (every ${METRICS_INTERVAL_MS} ms here; the SDK's default is 60 s).`,
          `Target from the issue: the flag-off acknowledged by all connected SDKs within one interval + 2 s (${TARGET_MS / 1000} s here). ` +
            "No peer figure: Argo Rollouts' and Flagger's analysis roll a canary back; they do not turn a flag off and confirm that SDKs serve it.",
        ].join("\n"),
      );
    }
  },
};
