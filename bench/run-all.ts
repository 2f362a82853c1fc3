import type { BenchSuite } from "./bench-suite";
import { coreEvaluationBench } from "./core-evaluation";
import { benchChecksum } from "./harness";
import { httpEvaluateBench } from "./http-evaluate";
import { sdkEvaluationBench } from "./sdk-evaluation";
import { propagationBench } from "./propagation";
import { browserSizeBench } from "./browser-size";
import { consoleSizeBench } from "./console-size";
import { deployMitigationBench } from "./deploy-mitigation";
import { previewLatencyBench } from "./preview-latency";
import { rehearsalBench } from "./rehearsal";
import { relayReportsBench } from "./relay-reports";
import { environmentSizeBench } from "./environment-size";
import { packagedBench } from "./packaged";
import { payloadSizeBench } from "./payload-size";

/**
 * Runs every benchmark suite in sequence: `tsx run-all.ts` for all, `tsx run-all.ts <name>…`
 * for some. To add a suite (e.g. an HTTP bench), export a `BenchSuite` from its own file and
 * list it here.
 */
const suites: readonly BenchSuite[] = [
  coreEvaluationBench,
  sdkEvaluationBench,
  httpEvaluateBench,
  payloadSizeBench,
  propagationBench,
  environmentSizeBench,
  browserSizeBench,
  consoleSizeBench,
  deployMitigationBench,
  previewLatencyBench,
  rehearsalBench,
  relayReportsBench,
  packagedBench,
];

const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? suites : suites.filter((suite) => wanted.includes(suite.name));
if (selected.length === 0) {
  console.error(`unknown suite(s): ${wanted.join(", ")}; available: ${suites.map((suite) => suite.name).join(", ")}`);
  process.exit(1);
}

console.log(`node ${process.version} on ${process.platform}/${process.arch}`);
for (const suite of selected) {
  console.log(`\n== ${suite.name}: ${suite.description}\n`);
  await suite.run();
}
console.log(`\n(checksum ${benchChecksum()})`);
