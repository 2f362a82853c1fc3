import { useState } from "preact/hooks";
import type { StaleReport } from "../api/types";
import { useApp } from "../app-context";
import { Problem, when } from "../components/problem";
import { flagPath } from "../router";
import { useResource } from "../use-resource";

const THRESHOLDS = {
  notEvaluatedDays: "Not evaluated for (days)",
  fullyRolledOutDays: "Serving one variation to everyone for (days)",
  disabledDays: "Off everywhere for (days)",
} as const;
type Threshold = keyof typeof THRESHOLDS;
const thresholdFields: readonly Threshold[] = ["notEvaluatedDays", "fullyRolledOutDays", "disabledDays"];

/** The stale-flag report, each suggestion one click away: archive the flag, or mark it permanent. */
export function StalePage() {
  const { api, revision } = useApp();
  const [thresholds, setThresholds] = useState<Record<Threshold, string>>({
    notEvaluatedDays: "",
    fullyRolledOutDays: "",
    disabledDays: "",
  });
  const query = new URLSearchParams(Object.entries(thresholds).filter(([, days]) => /^\d{1,4}$/.test(days.trim())));
  const report = useResource(() => api.get<StaleReport>(`/api/reports/stale?${query}`), [api, revision, query.toString()]);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const act = async (flag: string, action: "archive" | "permanent") => {
    setFailure(null);
    try {
      const path = `/api/flags/${encodeURIComponent(flag)}`;
      if (action === "archive") await api.send("DELETE", `${path}?comment=${encodeURIComponent("Archived from the stale report")}`);
      else await api.send("PATCH", path, { permanent: true, comment: "Marked permanent from the stale report" });
      setDone(action === "archive" ? `Archived ${flag}.` : `Marked ${flag} permanent.`);
      report.reload();
    } catch (error) {
      setFailure(error);
    }
  };

  const flags = (report.data?.flags ?? []).filter((f) => !f.archived && f.reasons.length > 0);
  return (
    <section aria-labelledby="stale-title">
      <h1 id="stale-title">Stale flags</h1>
      {report.data && <p class="muted">Generated {when(report.data.generatedAt)}, across every environment.</p>}
      <form class="filters" aria-label="Thresholds" onSubmit={(e) => e.preventDefault()}>
        {thresholdFields.map((field) => (
          <label key={field}>
            {THRESHOLDS[field]}
            <input
              type="number"
              min={0}
              max={3650}
              placeholder="default"
              value={thresholds[field]}
              onInput={(e) => setThresholds({ ...thresholds, [field]: e.currentTarget.value })}
            />
          </label>
        ))}
      </form>
      {done !== null && <p role="status">{done}</p>}
      {failure !== null && <Problem error={failure} />}
      {report.error && <Problem error={report.error} />}
      {report.data && flags.length === 0 && <p>No flag looks stale.</p>}
      <ul class="stale">
        {flags.map((f) => (
          <li key={f.flag} class="panel" data-flag={f.flag}>
            <h2>
              <a href={flagPath(f.flag, "production")}>
                <code>{f.flag}</code>
              </a>{" "}
              <span class="muted small">
                {f.kind}
                {f.owner !== null && ` · owner ${f.owner}`}
              </span>
            </h2>
            <ul>
              {f.reasons.map((r) => (
                <li key={r.code}>
                  <span class="badge warn">{r.code}</span> {r.summary} <em>{r.suggestion}</em>
                </li>
              ))}
            </ul>
            <div class="actions">
              <button type="button" class="danger" onClick={() => void act(f.flag, "archive")} aria-label={`Archive ${f.flag}`}>
                Archive
              </button>
              <button type="button" onClick={() => void act(f.flag, "permanent")} aria-label={`Mark ${f.flag} permanent`}>
                Mark permanent
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
