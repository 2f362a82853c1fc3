import type { BenchSuite } from "./bench-suite";
import { runSizeScript } from "./size-script";

/** The console's first download: JavaScript gzip of the entry and what index.html preloads (budget 150 KB). */
export const consoleSizeBench: BenchSuite = {
  name: "console-size",
  description: "console initial JavaScript, gzip (budget 150 KB); the chart chunk loads on a deploy's page",
  run: () => runSizeScript("apps/console"),
};
