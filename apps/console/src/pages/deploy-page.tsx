import { useMemo, useState } from "preact/hooks";
import type { Deploy } from "../api/deploy-types";
import { useApp } from "../app-context";
import { AcknowledgementChart, CheckChart } from "../components/check-chart";
import { Problem, when } from "../components/problem";
import { StatusBadge } from "../components/status-badge";
import { flagPath } from "../router";
import { useResource } from "../use-resource";

const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? "n/a" : `${(rate * 100).toFixed(2)} %`);
const figure = (value: number | null | undefined) => (value === null || value === undefined ? "n/a" : String(Number(value.toPrecision(4))));

/** One deploy: the decision in words, a chart per check with the flag-off marked, cohorts, propagation. */
export function DeployPage({ id }: { id: string }) {
  const { api, revision } = useApp();
  const deploy = useResource(() => api.get<Deploy>(`/api/deploys/${encodeURIComponent(id)}`), [api, id, revision]);
  const [restored, setRestored] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const d = deploy.data;
  const flagsOff = useMemo(() => d?.flagsOff.map((f) => ({ flag: f.flag, disabledAt: f.disabledAt })) ?? [], [JSON.stringify(d?.flagsOff)]);
  const evidence = d?.decision?.evidence;

  const restore = async () => {
    setFailure(null);
    try {
      const answer = await api.send<unknown>("POST", `/api/deploys/${encodeURIComponent(id)}/restore-flags`);
      setRestored(JSON.stringify(answer));
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <section aria-labelledby="deploy-title">
      <p>
        <a href="/deploys">← Deploys</a>
      </p>
      {deploy.error && <Problem error={deploy.error} />}
      {d && (
        <>
          <h1 id="deploy-title">
            {d.service} {d.version} in {d.environment} <StatusBadge status={d.status} />
          </h1>
          <p class="muted">
            <code>{d.id}</code> · registered {when(d.createdAt)} by {d.createdBy}
            {d.commit !== null && ` · commit ${d.commit}`}
            {d.decidedAt !== null && ` · decided ${when(d.decidedAt)}`}
          </p>
          <section class="panel" aria-labelledby="evidence-title">
            <h2 id="evidence-title">Evidence</h2>
            <p class="evidence">{d.summary ?? "No decision yet: the first interval has not completed."}</p>
            {evidence && (
              <p class="muted small">
                Window {when(evidence.window.startedAt)} – {when(evidence.window.endsAt)}, judged every {evidence.window.intervalSeconds} s;{" "}
                {evidence.window.completed} of {evidence.window.intervals} intervals completed.
              </p>
            )}
          </section>
          {evidence?.checks.map((check) => (
            <section class="panel" key={check.signal}>
              <CheckChart check={check} startedAt={evidence.window.startedAt} flagsOff={flagsOff} />
            </section>
          ))}
          {evidence && evidence.cohorts.length > 0 && (
            <section class="panel" aria-labelledby="cohorts-title">
              <h2 id="cohorts-title">Cohorts</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Flag</th>
                    <th scope="col">Signal</th>
                    <th scope="col">New variation</th>
                    <th scope="col">Off variation</th>
                    <th scope="col">p</th>
                    <th scope="col">Verdict</th>
                  </tr>
                </thead>
                <tbody>
                  {evidence.cohorts.map((c) => (
                    <tr key={`${c.flag}/${c.signal}`}>
                      <td>{c.flag}</td>
                      <td>{c.signal}</td>
                      <td>
                        {c.source === "counts"
                          ? `${percent(c.new.rate)} of ${c.new.per ?? 0}`
                          : `mean ${figure(c.new.mean)} of ${c.new.samples ?? 0}`}
                      </td>
                      <td>
                        {c.source === "counts"
                          ? `${percent(c.off.rate)} of ${c.off.per ?? 0}`
                          : `mean ${figure(c.off.mean)} of ${c.off.samples ?? 0}`}
                      </td>
                      <td>{c.test === null ? "—" : c.test.pValue.toPrecision(2)}</td>
                      <td>
                        <strong>{c.verdict}</strong> <span class="muted small">{c.reason}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          {d.flagsOff.length > 0 && (
            <section class="panel" aria-labelledby="flag-offs-title">
              <h2 id="flag-offs-title">Flags turned off</h2>
              <ul>
                {d.flagsOff.map((off) => {
                  const p = d.propagation.find((q) => q.flag === off.flag);
                  return (
                    <li key={off.flag}>
                      <a href={flagPath(off.flag, d.environment)}>{off.flag}</a> off at {when(off.disabledAt)} (config version{" "}
                      {off.configVersion})
                      {p !== undefined &&
                        `; served by ${p.acknowledged} of ${p.connected} connected SDK instances${p.seconds === null ? "" : ` after ${p.seconds} s`}`}
                    </li>
                  );
                })}
              </ul>
              {d.flagsOff.map((off) => (
                <AcknowledgementChart
                  key={off.flag}
                  flag={off.flag}
                  disabledAt={off.disabledAt}
                  acknowledgedAt={(d.acknowledgements ?? []).filter((a) => a.flag === off.flag).map((a) => a.acknowledgedAt)}
                  propagation={d.propagation.find((p) => p.flag === off.flag)}
                />
              ))}
              <button type="button" onClick={() => void restore()}>
                Restore the flags as they were at registration
              </button>
              {restored !== null && <p role="status">Restored: {restored}</p>}
              {failure !== null && <Problem error={failure} />}
            </section>
          )}
        </>
      )}
    </section>
  );
}
