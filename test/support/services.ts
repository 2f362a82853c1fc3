import { createConnection } from "node:net";
import type { TestProject } from "vitest/node";

/**
 * Finds the real PostgreSQL and Redis the integration and end-to-end tests use. CI sets
 * SWITCHYARD_REQUIRE_SERVICES=1: then a missing or unreachable service fails the run. Elsewhere,
 * the tests that need one are skipped and this says so, loudly.
 */
declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string | null;
    redisUrl: string | null;
  }
}

function reachable(url: string, defaultPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const socket = createConnection({ host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || defaultPort) });
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const required = process.env.SWITCHYARD_REQUIRE_SERVICES === "1";
  const services = [
    { name: "PostgreSQL", variable: "DATABASE_URL", port: 5432, key: "postgresUrl" as const },
    { name: "Redis", variable: "REDIS_URL", port: 6379, key: "redisUrl" as const },
  ];
  const problems: string[] = [];
  for (const service of services) {
    const url = process.env[service.variable];
    const ok = url !== undefined && url !== "" && (await reachable(url, service.port));
    project.provide(service.key, ok && url ? url : null);
    if (!ok) {
      const why = url ? `${service.variable}=${url} is unreachable` : `${service.variable} is not set`;
      problems.push(`${service.name}: ${why}`);
    }
  }
  if (problems.length === 0) return;
  if (required) throw new Error(`Required services are missing (SWITCHYARD_REQUIRE_SERVICES=1):\n  ${problems.join("\n  ")}`);
  if (!globalThis.__switchyardSkipNoticePrinted) {
    globalThis.__switchyardSkipNoticePrinted = true;
    process.stderr.write(
      `\n[switchyard] SKIPPING tests that need real services (${project.name} project):\n  ${problems.join("\n  ")}\n` +
        "  Set DATABASE_URL / REDIS_URL to run them (see README, Tests).\n\n",
    );
  }
}

declare global {
  var __switchyardSkipNoticePrinted: boolean | undefined;
}
