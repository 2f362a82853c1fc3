import type { Rehearsal, RehearsalPhase } from "../api/types";
import { when } from "../components/problem";

const BADGE: Record<Rehearsal["status"], string> = { passed: "good", failed: "bad", error: "bad", running: "info" };
const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`);

function phaseCell(phase: RehearsalPhase | null) {
  if (phase === null) return "—";
  if (phase.connected === 0) return "no SDK connected";
  return `${phase.acknowledged}/${phase.connected} · p50 ${seconds(phase.p50Ms)} · max ${seconds(phase.maxMs)}`;
}

/**
 * The newest rollback rehearsal of the flag in each environment (`lastRehearsals` of
 * `GET /api/flags/:key`): verdict, detection, each write's acknowledgements, and who was late.
 */
export function RehearsalsPanel({ flag, rehearsals }: { flag: string; rehearsals: Record<string, Rehearsal> }) {
  const entries = Object.values(rehearsals);
  return (
    <section class="panel" aria-labelledby="rehearsals-title">
      <h2 id="rehearsals-title">Rollback rehearsals</h2>
      {entries.length === 0 ? (
        <p class="muted">
          Never rehearsed. Run <code>switchyard rehearse --env staging --flag {flag}</code> to practise turning it off.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">Result</th>
              <th scope="col">Flag-off</th>
              <th scope="col">Restore</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((r) => (
              <tr key={r.environment} data-rehearsal={r.id}>
                <td>{r.environment}</td>
                <td>
                  <span class={`badge ${BADGE[r.status]}`}>{r.status}</span>
                  <span class="muted small"> {when(r.finishedAt ?? r.startedAt)}</span>
                  {r.detection !== null && <span class="muted small"> · detected in {seconds(r.detection.ms)}</span>}
                </td>
                <td>{phaseCell(r.flagOff)}</td>
                <td>{phaseCell(r.restore)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries
        .filter((r) => r.status !== "passed")
        .map((r) => (
          <p key={r.id} class="muted small">
            {r.environment}: {r.summary}
          </p>
        ))}
    </section>
  );
}
