import { useEffect, useState } from "preact/hooks";
import { ApiError, type Issue } from "../api/api-client";
import type { AuditPage, Flag, FlagConfig, FlagConfigView, RuleDraft, Segment } from "../api/types";
import { useApp } from "../app-context";
import { FlagSwitch } from "../components/flag-switch";
import { JsonDiff } from "../components/json-diff";
import { FieldProblems, issuesAt, Problem, when } from "../components/problem";
import { RuleEditor, withoutBlankValues } from "./rule-editor";
import { ServeEditor, VariationSelect } from "./serve-editor";

const editable = (view: FlagConfigView): FlagConfig => ({
  enabled: view.enabled,
  offVariation: view.offVariation,
  rules: view.rules,
  fallthrough: view.fallthrough,
  prerequisites: view.prerequisites,
});

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Paths the editor shows next to a field; any other problem is listed above the save button. */
function placed(issue: Issue, config: FlagConfig): boolean {
  return (
    /^rules\[\d+\]/.test(issue.path) ||
    issue.path.startsWith("fallthrough") ||
    issue.path.startsWith("prerequisites") ||
    issue.path === "offVariation" ||
    (issue.path === "" && config.rules.length === 0)
  );
}

/**
 * The draft of one flag config: edited locally, shown as a diff against what is saved, written
 * with PUT and `If-Match`. A live update replaces the draft only while it has no edits.
 */
export function FlagConfigEditor(props: { flag: Flag; saved: FlagConfigView; segments: Segment[]; allFlags: Flag[]; onSaved(): void }) {
  const { api } = useApp();
  const { flag, saved } = props;
  const [base, setBase] = useState(saved);
  const [draft, setDraft] = useState<FlagConfig>(editable(saved));
  const [comment, setComment] = useState("");
  const [issues, setIssues] = useState<Issue[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = !same(draft, editable(base));

  useEffect(() => {
    if (saved.version === base.version && saved.environment === base.environment && saved.flag === base.flag) return;
    if (!dirty || saved.environment !== base.environment || saved.flag !== base.flag) {
      setBase(saved);
      setDraft(editable(saved));
      setIssues([]);
      setFailure(null);
    }
  }, [saved]);

  const outdated = saved.version !== base.version;
  const update = (patch: Partial<FlagConfig>) => setDraft({ ...draft, ...patch });
  const setRule = (index: number, rule: RuleDraft | null) =>
    update({ rules: draft.rules.flatMap((r, i) => (i !== index ? [r] : rule === null ? [] : [rule])) });
  const moveRule = (index: number, by: -1 | 1) => {
    const rules = [...draft.rules];
    const [moved] = rules.splice(index, 1);
    if (moved !== undefined) rules.splice(index + by, 0, moved);
    update({ rules });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setIssues([]);
    setFailure(null);
    setConflict(null);
    const body = { ...draft, rules: draft.rules.map(withoutBlankValues), ...(comment.trim() === "" ? {} : { comment: comment.trim() }) };
    try {
      const path = `/api/flags/${encodeURIComponent(saved.flag)}/environments/${encodeURIComponent(saved.environment)}`;
      const written = await api.send<FlagConfigView>("PUT", path, body, { "if-match": `"${base.version}"` });
      setBase(written);
      setDraft(editable(written));
      setComment("");
      props.onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const query = new URLSearchParams({ flag: saved.flag, environment: saved.environment, limit: "1" });
        const last = (await api.get<AuditPage>(`/api/audit?${query}`).catch(() => undefined))?.entries[0];
        setConflict(last === undefined ? "Someone else" : `${last.actor.name} (at ${when(last.at)})`);
      } else {
        if (error instanceof ApiError) setIssues(error.issues);
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const unplaced = issues.filter((i) => !placed(i, draft));
  return (
    <form class="panel editor" onSubmit={save} aria-label={`Config of ${flag.key} in ${saved.environment}`}>
      <div class="editor-head">
        <FlagSwitch
          checked={draft.enabled}
          label={`${flag.key} enabled in ${saved.environment} (draft)`}
          onToggle={() => update({ enabled: !draft.enabled })}
        />
        <span class="muted">
          version {base.version}, saved {when(base.updatedAt)}
        </span>
      </div>
      {outdated && (
        <div class="notice" role="status">
          Version {saved.version} was saved by someone else while you edit.{" "}
          <button
            type="button"
            onClick={() => {
              setBase(saved);
              setDraft(editable(saved));
            }}
          >
            Discard my edits and load it
          </button>
        </div>
      )}
      <label>
        When off, serve
        <VariationSelect
          label="Off variation"
          variations={flag.variations}
          value={draft.offVariation}
          onChange={(offVariation) => update({ offVariation })}
        />
        <FieldProblems issues={issues} path="offVariation" />
      </label>

      <h2>Rules</h2>
      <p class="muted small">Checked in order; the first rule that matches serves.</p>
      {draft.rules.map((rule, index) => (
        <RuleEditor
          key={rule.id ?? `new-${index}`}
          rule={rule}
          index={index}
          count={draft.rules.length}
          variations={flag.variations}
          segments={props.segments}
          issues={issues}
          onChange={(r) => setRule(index, r)}
          onMove={(by) => moveRule(index, by)}
          onRemove={() => setRule(index, null)}
        />
      ))}
      <button
        type="button"
        onClick={() =>
          update({
            rules: [
              ...draft.rules,
              { conditions: [{ attribute: "", operator: "in", values: [] }], serve: { variation: flag.variations[0]?.id ?? "" } },
            ],
          })
        }
      >
        Add rule
      </button>
      <FieldProblems issues={issues} path="rules" />

      <ServeEditor
        label="Everyone else (fallthrough) gets"
        serve={draft.fallthrough}
        variations={flag.variations}
        path="fallthrough"
        issues={issues}
        onChange={(fallthrough) => update({ fallthrough })}
      />

      <fieldset>
        <legend>Prerequisites</legend>
        <p class="muted small">Each named flag must serve the given variation, or this flag serves its off variation.</p>
        {draft.prerequisites.map((p, index) => {
          const other = props.allFlags.find((f) => f.key === p.flag);
          const set = (next: { flag: string; variation: string } | null) =>
            update({ prerequisites: draft.prerequisites.flatMap((q, i) => (i !== index ? [q] : next === null ? [] : [next])) });
          return (
            <div class="condition" key={index}>
              <label>
                Flag
                <select
                  value={p.flag}
                  onChange={(e) => {
                    const key = e.currentTarget.value;
                    set({ flag: key, variation: props.allFlags.find((f) => f.key === key)?.variations[0]?.id ?? "" });
                  }}
                >
                  {props.allFlags
                    .filter((f) => f.key !== flag.key)
                    .map((f) => (
                      <option key={f.key} value={f.key}>
                        {f.key}
                      </option>
                    ))}
                </select>
              </label>
              <label>
                Serves
                <VariationSelect
                  label={`Prerequisite ${index + 1} variation`}
                  variations={other?.variations ?? []}
                  value={p.variation}
                  onChange={(variation) => set({ ...p, variation })}
                />
              </label>
              <button type="button" class="link" onClick={() => set(null)}>
                Remove
              </button>
              <FieldProblems issues={issues} path={`prerequisites[${index}]`} within />
            </div>
          );
        })}
        {props.allFlags.some((f) => f.key !== flag.key) && (
          <button
            type="button"
            onClick={() => {
              const first = props.allFlags.find((f) => f.key !== flag.key);
              if (first) update({ prerequisites: [...draft.prerequisites, { flag: first.key, variation: first.variations[0]?.id ?? "" }] });
            }}
          >
            Add prerequisite
          </button>
        )}
      </fieldset>

      {dirty && (
        <details class="changes" open>
          <summary>Changes to save</summary>
          <JsonDiff before={editable(base)} after={draft} label="Changes to save" />
        </details>
      )}
      <label>
        Comment (goes to the audit log)
        <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} placeholder="Why this change" />
      </label>
      {conflict !== null && (
        <div class="error conflict" role="alert">
          <p>{conflict} changed this config after you loaded it. Nothing was saved.</p>
          <button
            type="button"
            onClick={() => {
              setConflict(null);
              props.onSaved();
            }}
          >
            Reload
          </button>
        </div>
      )}
      {failure !== null && (issuesAt(issues, "").length > 0 || unplaced.length > 0 || issues.length === 0) && <Problem error={failure} />}
      {failure !== null && issues.length > 0 && unplaced.length === 0 && (
        <p class="error" role="alert">
          Nothing was saved: fix the {issues.length === 1 ? "problem" : `${issues.length} problems`} shown next to the fields.
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || !dirty}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" disabled={!dirty} onClick={() => setDraft(editable(base))}>
          Discard changes
        </button>
      </div>
    </form>
  );
}
