import type { BenchSuite } from "./bench-suite";
import { runSizeScript } from "./size-script";

/** The browser SDK's min+gzip size next to its peers' (the size script of the package, as CI's budget test uses). */
export const browserSizeBench: BenchSuite = {
  name: "browser-size",
  description: "browser SDK bundle, min+gzip, with the peers users compare it with (budget 3 KB)",
  run: () => runSizeScript("packages/sdk-browser"),
};
