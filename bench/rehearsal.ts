import { createClient, type SwitchyardClient } from "@switchyard/sdk-node";
import type { BenchSuite } from "./bench-suite";
import { printTable } from "./harness";
import { startBenchRelay, startBenchServer } from "./server-process";

/*
 * A rollback rehearsal end to end: the real server in its own process (deploy worker at its
 * default 1 s tick), N Node SDK clients here, `POST /api/rehearsals` with the default 2 s target.
 * Reported per client count, over RUNS rehearsals: detection (breaching sample → flag-off
 * written by the engine), and write → last acknowledgement for the flag-off and the restore as
 * the server measured them (p50 and max over instances, then the median and worst over runs).
 * An acknowledgement is the SDK's metrics report naming the new version, which the Node SDK
 * sends `ACKNOWLEDGE_DELAY_MS` (1 s) after a change, so ~1 s is the floor.
 *
 * Each count runs twice: the SDKs connected to the server directly, and all of them behind one
 * `switchyard-relay` process, which forwards their reports once a second (issue #14's bound: the
 * same interval + 2 s as direct instances).
 */

const CLIENT_COUNTS = (process.env.REHEARSAL_CLIENTS ?? "1,10,100").split(",").filter(Boolean).map(Number);
const RUNS = Number(process.env.REHEARSAL_RUNS ?? 3);
const FLAG = "rehearsed";
const quiet = { warn: () => {}, error: () => {} };

interface Phase {
  connected: number;
  acknowledged: number;
  p50Ms: number | null;
  maxMs: number | null;
}
interface Rehearsal {
  status: string;
  detection: { ms: number } | null;
  flagOff: Phase | null;
  restore: Phase | null;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : "n/a");

async function measure(clients: number, port: number, viaRelay: boolean): Promise<string[]> {
  const server = await startBenchServer(port);
  const sdks: SwitchyardClient[] = [];
  let relay: Awaited<ReturnType<typeof startBenchRelay>> | undefined;
  try {
    await server.api("POST", "/api/flags", { key: FLAG });
    await server.api("PATCH", `/api/flags/${FLAG}/environments/staging`, { enabled: true });
    const token = String((await server.api("POST", "/api/tokens", { name: "bench", kind: "server", environment: "staging" })).token);
    if (viaRelay) {
      const relayToken = String(
        (await server.api("POST", "/api/tokens", { name: "bench-relay", kind: "relay", environments: ["staging"] })).token,
      );
      relay = await startBenchRelay({ port: port + 100, server, relayToken, relayId: "bench-relay", sdkToken: token });
    }
    const url = relay?.url ?? server.url;
    for (let i = 0; i < clients; i++) sdks.push(createClient({ url, token, logger: quiet }));
    await Promise.all(sdks.map((c) => c.ready()));
    // Past every SDK's first acknowledgement, so the server sees them all as reporting instances.
    await new Promise((r) => setTimeout(r, 1_500));
    const runs: Rehearsal[] = [];
    for (let run = 0; run < RUNS; run++)
      runs.push((await server.api("POST", "/api/rehearsals", { environment: "staging", flag: FLAG })) as unknown as Rehearsal);
    const of = (pick: (r: Rehearsal) => number | null | undefined) => runs.map((r) => pick(r) ?? Number.NaN);
    const acknowledged = runs.map((r) => `${r.flagOff?.acknowledged ?? 0}+${r.restore?.acknowledged ?? 0}/${r.flagOff?.connected ?? 0}`);
    return [
      String(clients),
      viaRelay ? "behind a relay" : "direct",
      runs.map((r) => r.status).join(","),
      [...new Set(acknowledged)].join(" "),
      ms(median(of((r) => r.detection?.ms))),
      ms(median(of((r) => r.flagOff?.p50Ms))),
      ms(Math.max(...of((r) => r.flagOff?.maxMs))),
      ms(median(of((r) => r.restore?.p50Ms))),
      ms(Math.max(...of((r) => r.restore?.maxMs))),
    ];
  } finally {
    await Promise.all(sdks.map((c) => c.close()));
    await relay?.stop();
    await server.stop();
  }
}

export const rehearsalBench: BenchSuite = {
  name: "rehearsal",
  description: `rollback rehearsals (POST /api/rehearsals, target 2 s), ${RUNS} per SDK count, SDKs direct and behind a relay: detection, and write → last SDK acknowledgement of the flag-off and of the restore`,
  async run() {
    const rows = [
      ["SDKs", "connected", "status", "acked (off+restore/connected)", "detection", "off p50", "off max", "restore p50", "restore max"],
    ];
    for (const [i, clients] of CLIENT_COUNTS.entries()) {
      rows.push(await measure(clients, 4700 + i, false));
      rows.push(await measure(clients, 4710 + i, true));
    }
    printTable(rows);
    console.log("(p50: median over runs of each run's p50 over instances; max: the worst instance of any run)");
  },
};
