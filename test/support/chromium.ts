import { accessSync, constants } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/**
 * Debian's `chromium` package (not a Playwright download), driven by playwright-core. CI sets
 * SWITCHYARD_REQUIRE_SERVICES=1: then a missing Chromium fails the run; elsewhere the suites that
 * need it are skipped and say what to install.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const chromiumRequired = process.env.SWITCHYARD_REQUIRE_SERVICES === "1";
export const CHROMIUM_INSTALL_HINT =
  "install it with `DEBIAN_FRONTEND=noninteractive apt-get install -y chromium` (Debian), or set CHROMIUM_PATH to a Chromium binary";

// Without the background-networking flags Chromium calls home, and the closed network refuses it.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why Chromium cannot run here, or undefined; prints the skip notice once per suite that asks. */
export function chromiumMissing(suite: string): string | undefined {
  let missing: string | undefined;
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    missing = `no executable Chromium at ${chromiumPath}`;
  }
  if (missing && !chromiumRequired) process.stderr.write(`\n[switchyard] SKIPPING ${suite}: ${missing}; ${CHROMIUM_INSTALL_HINT}.\n\n`);
  return missing;
}

/** Launches headless Chromium; fails with the install hint when it is required but missing. */
export async function launchChromium(missing: string | undefined): Promise<Browser> {
  if (missing) throw new Error(`Chromium is required (SWITCHYARD_REQUIRE_SERVICES=1) but there is ${missing}; ${CHROMIUM_INSTALL_HINT}.`);
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 30_000 });
}
