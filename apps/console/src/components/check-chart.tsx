import { useEffect, useRef, useState } from "preact/hooks";
import type { CheckEvidence } from "../api/deploy-types";
import type { FlagOffMark } from "./check-plot";
import { when } from "./problem";

/** One chart per check; the chart library is fetched the first time a deploy page shows one. */
export function CheckChart({ check, startedAt, flagsOff }: { check: CheckEvidence; startedAt: string; flagsOff: FlagOffMark[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (element === null) return;
    let dispose: (() => void) | undefined;
    let cancelled = false;
    import("./check-plot").then(
      ({ plotCheck }) => {
        if (!cancelled) dispose = plotCheck(element, check, startedAt, flagsOff);
      },
      () => setFailed(true),
    );
    return () => {
      cancelled = true;
      dispose?.();
    };
  }, [check, startedAt, flagsOff]);
  const bound = check.max !== null ? `≤ ${check.max}` : check.min !== null ? `≥ ${check.min}` : "no bound";
  return (
    <figure class="chart" data-check={check.signal}>
      <figcaption>
        <strong>{check.signal}</strong> {bound} — {check.held === null ? "not enough samples yet" : check.held ? "held" : "breached"} (
        {check.samples} samples from {check.source})
      </figcaption>
      <div ref={ref} class="chart-canvas" role="img" aria-label={`${check.signal} per interval against ${bound}`} />
      {failed && <p class="error">The chart could not be loaded.</p>}
      {flagsOff.length > 0 && (
        <ul class="legend">
          {flagsOff.map((off) => (
            <li key={off.flag} class="flag-off-marker">
              <span class="swatch" aria-hidden="true" /> {off.flag} turned off at{" "}
              <time dateTime={off.disabledAt}>{when(off.disabledAt)}</time>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
