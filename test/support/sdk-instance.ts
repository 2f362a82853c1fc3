/**
 * One application with the Node SDK, in its own process (so a test can freeze it with SIGSTOP):
 * `node --import tsx test/support/sdk-instance.ts` with SWITCHYARD_URL and SWITCHYARD_TOKEN.
 * Prints `ready <instanceId>` once the SDK has its flags, then evaluates until it is stopped.
 */
import { createClient } from "@switchyard/sdk-node";

const url = process.env.SWITCHYARD_URL;
const token = process.env.SWITCHYARD_TOKEN;
if (url === undefined || token === undefined) throw new Error("set SWITCHYARD_URL and SWITCHYARD_TOKEN");

const client = createClient({ url, token, logger: { warn: () => {}, error: () => {} } });
await client.ready();
process.stdout.write(`ready ${client.instanceId}\n`);
const traffic = setInterval(() => client.isEnabled("new-checkout", { key: "user-1" }), 100);
process.on("SIGTERM", () => {
  clearInterval(traffic);
  void client.close().finally(() => process.exit(0));
});
