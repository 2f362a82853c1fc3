import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export interface OperationsDeps {
  ping(): Promise<void>;
  /** Gauges for `GET /metrics`, read at scrape time. */
  gauges(): Array<{ name: string; help: string; labels?: Record<string, string>; value: number }>;
  /** False once shutdown began, so load balancers stop sending new requests. */
  isAccepting(): boolean;
}

export type Gauge = ReturnType<OperationsDeps["gauges"]>[number];

/** The process's own gauges, the same on the server and a relay. */
export function processGauges(): Gauge[] {
  const memory = process.memoryUsage();
  return [
    { name: "process_resident_memory_bytes", help: "Resident memory size in bytes", value: memory.rss },
    { name: "nodejs_heap_used_bytes", help: "V8 heap in use, in bytes", value: memory.heapUsed },
    // Outside the V8 heap: buffers, and on the server the embedded database's WebAssembly memory (most of its RSS).
    { name: "nodejs_external_memory_bytes", help: "Memory outside the V8 heap (buffers, WebAssembly), in bytes", value: memory.external },
    { name: "process_uptime_seconds", help: "Seconds since the process started", value: Math.round(process.uptime()) },
  ];
}

export function operationsRoutes(deps: OperationsDeps) {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (!deps.isAccepting()) return c.json({ status: "shutting-down" }, 503);
    try {
      await deps.ping();
      return c.json({ status: "ready", database: "ok" });
    } catch {
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });
  // Prometheus text exposition (version 0.0.4); unauthenticated like the health checks.
  app.get("/metrics", (c) => {
    // Benchmarks start the server with --expose-gc and ask for a collection first, so memory per
    // open stream is measured without garbage; without that flag this does nothing.
    const collect: unknown = Reflect.get(globalThis, "gc");
    if (c.req.query("gc") === "1" && typeof collect === "function") collect();
    const lines: string[] = [];
    const described = new Set<string>();
    for (const gauge of deps.gauges()) {
      if (!described.has(gauge.name)) {
        described.add(gauge.name);
        lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      }
      const labels = Object.entries(gauge.labels ?? {})
        .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`)
        .join(",");
      lines.push(`${gauge.name}${labels ? `{${labels}}` : ""} ${gauge.value}`);
    }
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(`${lines.join("\n")}\n`);
  });
  return app;
}
