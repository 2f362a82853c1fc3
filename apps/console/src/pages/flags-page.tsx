import { useState } from "preact/hooks";
import type { Environment, Flag, StaleReport } from "../api/types";
import { useApp } from "../app-context";
import { FlagSwitch } from "../components/flag-switch";
import { Problem, when } from "../components/problem";
import { withLatestChange } from "../flag-states";
import { toggleFlag, type Conflict } from "../flag-toggle";
import { flagPath } from "../router";
import { useResource } from "../use-resource";
import { CreateFlagForm } from "./create-flag-form";

function matches(flag: Flag, search: string, kind: string, tag: string, owner: string): boolean {
  const text = search.trim().toLowerCase();
  if (text !== "" && ![flag.key, flag.name, flag.description].some((field) => field.toLowerCase().includes(text))) return false;
  if (kind !== "" && flag.kind !== kind) return false;
  if (tag !== "" && !flag.tags.includes(tag)) return false;
  return owner === "" || flag.owner === owner;
}

function Options({ values, all }: { values: string[]; all: string }) {
  return (
    <>
      <option value="">{all}</option>
      {values.map((v) => (
        <option key={v} value={v}>
          {v}
        </option>
      ))}
    </>
  );
}

const distinct = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))].sort();

/** Every flag × every environment, with a switch per cell. */
export function FlagsPage() {
  const { api, revision, latest } = useApp();
  const [archived, setArchived] = useState(false);
  const flags = useResource(() => api.get<{ flags: Flag[] }>(`/api/flags${archived ? "?archived=true" : ""}`), [api, revision, archived]);
  const environments = useResource(() => api.get<{ environments: Environment[] }>("/api/environments"), [api, revision]);
  const stale = useResource(() => api.get<StaleReport>("/api/reports/stale"), [api, revision]);
  const [search, setSearch] = useState("");
  const [kind, setKind] = useState("");
  const [tag, setTag] = useState("");
  const [owner, setOwner] = useState("");
  const [creating, setCreating] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmArchive, setConfirmArchive] = useState<string | null>(null);

  const all = withLatestChange(flags.data?.flags ?? [], latest);
  const envs = environments.data?.environments ?? [];
  const staleFlags = new Set(stale.data?.flags.filter((f) => f.reasons.length > 0).map((f) => f.flag));
  const shown = all.filter((f) => matches(f, search, kind, tag, owner));

  const toggle = async (flag: Flag, env: string) => {
    const state = flag.environments[env];
    if (state === undefined) return;
    setBusy(`${flag.key}/${env}`);
    setConflict(null);
    setFailure(null);
    const outcome = await toggleFlag(api, flag.key, env, !state.enabled, state.version);
    setBusy(null);
    if (!outcome.ok) {
      if ("conflict" in outcome) setConflict(outcome.conflict);
      else setFailure(outcome.error);
    }
    flags.reload();
  };

  const archive = async (flag: Flag) => {
    setConfirmArchive(null);
    setFailure(null);
    try {
      await api.send("DELETE", `/api/flags/${encodeURIComponent(flag.key)}?comment=${encodeURIComponent("Archived in the console")}`);
    } catch (error) {
      setFailure(error);
    }
    flags.reload();
  };

  const unarchive = async (flag: Flag) => {
    setFailure(null);
    try {
      await api.send("PATCH", `/api/flags/${encodeURIComponent(flag.key)}`, { archived: false, comment: "Unarchived in the console" });
    } catch (error) {
      setFailure(error);
    }
    flags.reload();
  };

  return (
    <section aria-labelledby="flags-title">
      <div class="page-head">
        <h1 id="flags-title">Flags</h1>
        {!creating && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New flag
          </button>
        )}
      </div>
      {creating && (
        <CreateFlagForm
          onCancel={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            flags.reload();
          }}
        />
      )}
      <div class="filters" role="search">
        <label>
          Search
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="key, name or description" />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <Options values={distinct(all.map((f) => f.kind))} all="All kinds" />
          </select>
        </label>
        <label>
          Tag
          <select value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
            <Options values={distinct(all.flatMap((f) => f.tags))} all="All tags" />
          </select>
        </label>
        <label>
          Owner
          <select value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
            <Options values={distinct(all.map((f) => f.owner))} all="All owners" />
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.currentTarget.checked)} />
          Show archived
        </label>
      </div>
      {conflict !== null && (
        <div class="error conflict" role="alert">
          <p>
            <strong>{conflict.flag}</strong> in <strong>{conflict.environment}</strong> was changed
            {conflict.changedBy === null ? " by someone else" : <> by {conflict.changedBy}</>}
            {conflict.changedAt === null ? "" : ` at ${when(conflict.changedAt)}`}
            {conflict.currentVersion === null ? "" : ` (now version ${conflict.currentVersion})`} after you loaded it. Nothing was saved.
          </p>
          <button
            type="button"
            onClick={() => {
              setConflict(null);
              flags.reload();
            }}
          >
            Reload
          </button>
        </div>
      )}
      {failure !== null && <Problem error={failure} />}
      {flags.error && <Problem error={flags.error} />}
      {flags.data === undefined && flags.error === undefined && <p>Loading…</p>}
      {flags.data !== undefined && (
        <div class="table-wrap">
          <table class="flags">
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Kind</th>
                {envs.map((env) => (
                  <th scope="col" key={env.key}>
                    {env.name}
                  </th>
                ))}
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((flag) => (
                <tr key={flag.key} data-flag={flag.key} class={flag.archivedAt === null ? "" : "archived"}>
                  <th scope="row">
                    <a href={flagPath(flag.key, envs.find((e) => e.key === "production")?.key ?? envs[0]?.key ?? "production")}>
                      <code>{flag.key}</code>
                    </a>
                    {flag.name !== flag.key && <span class="muted"> {flag.name}</span>}
                    <div class="badges">
                      {flag.archivedAt !== null && <span class="badge">archived</span>}
                      {staleFlags.has(flag.key) && (
                        <a class="badge warn" href="/stale" title="In the stale-flag report">
                          stale
                        </a>
                      )}
                      {flag.permanent && <span class="badge">permanent</span>}
                      {flag.tags.map((t) => (
                        <span key={t} class="badge tag">
                          {t}
                        </span>
                      ))}
                      {flag.owner !== null && <span class="muted small">owner {flag.owner}</span>}
                    </div>
                  </th>
                  <td>{flag.kind}</td>
                  {envs.map((env) => {
                    const state = flag.environments[env.key];
                    return (
                      <td key={env.key} data-environment={env.key}>
                        {state !== undefined && (
                          <div class="cell">
                            <FlagSwitch
                              checked={state.enabled}
                              label={`${flag.key} in ${env.key}`}
                              disabled={busy === `${flag.key}/${env.key}` || flag.archivedAt !== null}
                              onToggle={() => void toggle(flag, env.key)}
                            />
                            <a class="small" href={flagPath(flag.key, env.key)} aria-label={`Edit ${flag.key} in ${env.key}`}>
                              v{state.version}
                            </a>
                          </div>
                        )}
                      </td>
                    );
                  })}
                  <td>
                    {flag.archivedAt !== null ? (
                      <button type="button" onClick={() => void unarchive(flag)}>
                        Unarchive
                      </button>
                    ) : confirmArchive === flag.key ? (
                      <span class="confirm">
                        <button type="button" class="danger" onClick={() => void archive(flag)}>
                          Archive {flag.key}
                        </button>
                        <button type="button" onClick={() => setConfirmArchive(null)}>
                          Keep
                        </button>
                      </span>
                    ) : (
                      <button type="button" onClick={() => setConfirmArchive(flag.key)} aria-label={`Archive ${flag.key}`}>
                        Archive
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p class="muted">No flag matches.</p>}
        </div>
      )}
    </section>
  );
}
