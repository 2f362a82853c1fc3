import { accessSync, constants } from "node:fs";

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
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why Chromium cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return undefined;
  } catch {
    return `no executable Chromium at ${chromiumPath}`;
  }
}

/** Whether a suite needing Chromium should skip; prints why when it does. */
export function skipWithoutChromium(suite: string): { skip: boolean; missing: string | undefined } {
  const missing = chromiumMissing();
  if (missing && !chromiumRequired) process.stderr.write(`\n[switchyard] SKIPPING ${suite}: ${missing}; ${CHROMIUM_INSTALL_HINT}.\n\n`);
  return { skip: missing !== undefined && !chromiumRequired, missing };
}
