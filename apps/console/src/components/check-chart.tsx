import type { CheckEvidence, PropagationEvidence } from "../api/deploy-types";
import type { FlagOffMark } from "./check-plot";
import { useLazyPlot } from "./lazy-plot";
import { when } from "./problem";

/** One check: its value per interval against its bound, with the moment each flag went off marked. */
export function CheckChart({ check, startedAt, flagsOff }: { check: CheckEvidence; startedAt: string; flagsOff: FlagOffMark[] }) {
  const { ref, failed } = useLazyPlot(
    (plots, element) => plots.plotCheck(element, check, startedAt, flagsOff),
    [check, startedAt, flagsOff],
  );
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

/** The acknowledgement curve of one flag-off: instances serving it over time, against those connected. */
export function AcknowledgementChart(props: {
  flag: string;
  disabledAt: string;
  acknowledgedAt: string[];
  propagation: PropagationEvidence | undefined;
}) {
  const connected = props.propagation?.connected ?? props.acknowledgedAt.length;
  const { ref, failed } = useLazyPlot(
    (plots, element) => plots.plotAcknowledgements(element, props.disabledAt, props.acknowledgedAt, connected),
    [props.disabledAt, props.acknowledgedAt.join(), connected],
  );
  return (
    <figure class="chart" data-acknowledgements={props.flag}>
      <figcaption>
        <strong>{props.flag}</strong> off: {props.acknowledgedAt.length} of {connected} connected SDK instances serve it
        {props.propagation?.seconds != null && ` (${props.propagation.requiredRatio * 100} % after ${props.propagation.seconds} s)`}
      </figcaption>
      <div ref={ref} class="chart-canvas" role="img" aria-label={`SDK instances serving ${props.flag} off over time, against connected`} />
      {failed && <p class="error">The chart could not be loaded.</p>}
    </figure>
  );
}
