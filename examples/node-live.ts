// npx tsx examples/node-live.ts — prints new-checkout for user-42 now and after every change.
import { createClient } from "@switchyard/sdk-node";
const flags = createClient({ url: process.env.SWITCHYARD_URL ?? "http://127.0.0.1:4242", token: process.env.SWITCHYARD_TOKEN ?? "" });
const show = () =>
  console.log(new Date().toISOString(), "new-checkout for user-42:", flags.isEnabled("new-checkout", { key: "user-42", plan: "pro" }));
flags.ready().then(show, (error: Error) => console.error(error.message));
flags.on("change", show);
