import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlagdProvider } from "@openfeature/flagd-provider";
import { type EvaluationContext, type Logger, OpenFeature } from "@openfeature/server-sdk";
import { B_COUNTRIES, FLAG_A, FLAG_B, type WorkloadUser } from "../workload";
import { flagdConfiguration, flagdFlagB } from "./flagd-core-peer";
import type { SdkPeer } from "./peer";

/*
 * flagd as an application uses it without a flagd server: the OpenFeature server SDK with the
 * flagd provider in in-process mode, reading its flag configuration from a file
 * (`offlineFlagSourcePath`, the provider's documented offline mode; it watches the file, no
 * gRPC connection is made). The same flag JSON as the flagd-core peer. OpenFeature's
 * evaluation API is asynchronous: every `getBooleanValue` is awaited, one after another.
 */

const DOMAIN = "switchyard-bench-flagd";

export async function setupFlagdProvider(users: readonly WorkloadUser[]): Promise<SdkPeer> {
  let logged = 0;
  const countingLogger: Logger = {
    error: () => void logged++,
    warn: () => void logged++,
    info: () => {},
    debug: () => {},
  };
  const folder = await mkdtemp(join(tmpdir(), "switchyard-bench-flagd-"));
  const file = join(folder, "flags.json");
  await writeFile(
    file,
    flagdConfiguration({
      [FLAG_A]: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
      [FLAG_B]: flagdFlagB(B_COUNTRIES),
    }),
  );
  const provider = new FlagdProvider({ resolverType: "in-process", offlineFlagSourcePath: file }, countingLogger);
  OpenFeature.setLogger(countingLogger);
  await OpenFeature.setProviderAndWait(DOMAIN, provider);
  const client = OpenFeature.getClient(DOMAIN);
  const contexts: EvaluationContext[] = users.map((user) => ({
    targetingKey: user.key,
    country: user.country,
    plan: user.plan,
  }));
  const check = await client.getBooleanDetails(FLAG_B, false, contexts[0] ?? {});
  if (check.errorCode !== undefined) throw new Error(`flagd provider: ${check.errorCode} ${check.errorMessage ?? ""}`);
  const mask = contexts.length - 1;
  // One cursor for both flags: every call continues where the last one stopped.
  let cursor = 0;
  const fallback: EvaluationContext = {};
  return {
    name: "OpenFeature server-sdk + flagd-provider (in-process, offline file)",
    async flagA(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++)
        if (await client.getBooleanValue(FLAG_A, false, contexts[i & mask] ?? fallback)) on++;
      cursor = (cursor + iterations) & mask;
      return on;
    },
    async flagB(iterations) {
      let on = 0;
      for (let i = cursor, end = cursor + iterations; i < end; i++)
        if (await client.getBooleanValue(FLAG_B, false, contexts[i & mask] ?? fallback)) on++;
      cursor = (cursor + iterations) & mask;
      return on;
    },
    async close() {
      await OpenFeature.close();
      await rm(folder, { recursive: true, force: true });
    },
    notes() {
      return [
        `new FlagdProvider({ resolverType: "in-process", offlineFlagSourcePath }), OpenFeature.setProviderAndWait, await client.getBooleanValue(key, false, context) (async: each call awaited)`,
        `no flagd server, no gRPC connection; ${logged} log lines`,
      ];
    },
  };
}
