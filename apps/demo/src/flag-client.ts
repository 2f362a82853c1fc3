import { createClient, SdkErrorCodes, SwitchyardError, SwitchyardErrorCodes, type SwitchyardClient } from "@switchyard/sdk-node";
import type { DemoConfig } from "./config";
import { StartupError } from "./startup-error";

/**
 * The SDK reports every `metricsIntervalMs`; its default, 60 s, is right for a real service but
 * longer than a whole demo deploy interval (10 s): the guard would judge empty intervals. Once a
 * second, the counts reach the server while the interval they belong to is still open.
 */
export const DEMO_METRICS_INTERVAL_MS = 1_000;

/** A context used once at start to check the flag exists and is boolean. */
const PROBE_CONTEXT = { key: "demo-startup-check" };

/**
 * Until the SDK is ready its warnings are kept, not printed: a server that is down would print
 * one warning per reconnect before the demo says, once, what is wrong.
 */
function startupLogger(write: (line: string) => void) {
  let ready = false;
  let last: string | undefined;
  const log = (message: string) => {
    if (ready) write(`[sdk] ${message}`);
    else last = message;
  };
  return {
    logger: { warn: log, error: log },
    lastMessage: () => last,
    markReady: () => (ready = true),
  };
}

/** A started Node SDK client with the flag's data, or a `StartupError` saying why not. */
export async function startFlagClient(config: DemoConfig, token: string, write: (line: string) => void): Promise<SwitchyardClient> {
  const log = startupLogger(write);
  const client = createClient({ url: config.switchyardUrl, token, metricsIntervalMs: DEMO_METRICS_INTERVAL_MS, logger: log.logger });
  try {
    await client.ready();
  } catch (error) {
    await client.close();
    const detail = log.lastMessage();
    if (error instanceof SwitchyardError && error.code === SwitchyardErrorCodes.UNAUTHORIZED) {
      throw new StartupError(
        `${error.message.replace(/ The SDK stopped.*$/, "")} SWITCHYARD_TOKEN must be a server token of an environment, or an admin token (sy_admin_…).`,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new StartupError(`No flags from Switchyard at ${config.switchyardUrl}: ${message}${detail === undefined ? "" : ` (${detail})`}`);
  }
  log.markReady();
  const probe = client.variationDetail(config.flag, PROBE_CONTEXT, false);
  if (probe.errorCode === SdkErrorCodes.FLAG_NOT_FOUND || probe.errorCode === SdkErrorCodes.TYPE_MISMATCH) {
    await client.close();
    const what = probe.errorCode === SdkErrorCodes.FLAG_NOT_FOUND ? "does not exist in the token's environment" : "is not a boolean flag";
    throw new StartupError(`Flag '${config.flag}' ${what}. Set DEMO_FLAG to a boolean flag's key (the demo data has new-checkout).`);
  }
  return client;
}
