import { useState } from "preact/hooks";
import type { AuditEntry, AuditPage as AuditAnswer, Environment } from "../api/types";
import { useApp } from "../app-context";
import { AuditList } from "../components/audit-list";
import { Problem } from "../components/problem";
import { useResource } from "../use-resource";

/** Every change, newest first, filtered by flag and environment, a page at a time. */
export function AuditPage() {
  const { api, revision } = useApp();
  const [flag, setFlag] = useState("");
  const [environment, setEnvironment] = useState("");
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const query = (extra: Record<string, string>) =>
    new URLSearchParams({
      limit: "50",
      ...(flag.trim() === "" ? {} : { flag: flag.trim() }),
      ...(environment === "" ? {} : { environment }),
      ...extra,
    });
  const first = useResource(() => api.get<AuditAnswer>(`/api/audit?${query({})}`), [api, revision, flag, environment]);
  const environments = useResource(() => api.get<{ environments: Environment[] }>("/api/environments"), [api]);
  const next = cursor ?? (older.length === 0 ? (first.data?.nextCursor ?? null) : null);

  const loadOlder = async () => {
    if (next === null) return;
    try {
      const page = await api.get<AuditAnswer>(`/api/audit?${query({ cursor: next })}`);
      setOlder([...older, ...page.entries]);
      setCursor(page.nextCursor);
    } catch (error) {
      setFailure(error);
    }
  };
  const resetPaging = () => {
    setOlder([]);
    setCursor(null);
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <div class="filters">
        <label>
          Flag
          <input
            value={flag}
            onInput={(e) => {
              setFlag(e.currentTarget.value);
              resetPaging();
            }}
            placeholder="any flag"
          />
        </label>
        <label>
          Environment
          <select
            value={environment}
            onChange={(e) => {
              setEnvironment(e.currentTarget.value);
              resetPaging();
            }}
          >
            <option value="">Any environment</option>
            {(environments.data?.environments ?? []).map((env) => (
              <option key={env.key} value={env.key}>
                {env.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {first.error && <Problem error={first.error} />}
      {failure !== null && <Problem error={failure} />}
      {first.data && <AuditList entries={[...first.data.entries, ...older]} />}
      {(older.length === 0 ? first.data?.nextCursor : cursor) && (
        <button type="button" onClick={() => void loadOlder()}>
          Older entries
        </button>
      )}
    </section>
  );
}
