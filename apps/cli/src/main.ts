#!/usr/bin/env node
import { run } from "./run";

// `npx tsx apps/cli/src/main.ts …` or the `switchyard` bin.
process.exitCode = await run(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  fetch: globalThis.fetch,
});
