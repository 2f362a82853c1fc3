import { useState } from "preact/hooks";
import { flagKinds, type Flag, type FlagKind } from "../api/types";
import { useApp } from "../app-context";
import { FieldProblems, Problem } from "../components/problem";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";

export const splitTags = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");

export function KindSelect({ value, onChange }: { value: FlagKind; onChange(kind: FlagKind): void }) {
  return (
    <label>
      Kind
      <select value={value} onChange={(e) => onChange(flagKinds.find((k) => k === e.currentTarget.value) ?? value)}>
        {flagKinds.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A new boolean flag, off in every environment (the API's defaults). */
export function CreateFlagForm({ onCreated, onCancel }: { onCreated(flag: Flag): void; onCancel(): void }) {
  const { api } = useApp();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [kind, setKind] = useState<FlagKind>("release");
  const [tags, setTags] = useState("");
  const [owner, setOwner] = useState("");
  const { issues, failure: error, run } = useSubmit();

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = {
      key: key.trim(),
      kind,
      tags: splitTags(tags),
      ...(name.trim() === "" ? {} : { name: name.trim() }),
      ...(owner.trim() === "" ? {} : { owner: owner.trim() }),
    };
    await run(async () => onCreated(await api.send<Flag>("POST", "/api/flags", body)));
  };

  const known = new Set(["key", "name", "kind", "owner"]);
  const otherIssues = issues.filter((i) => !known.has(i.path) && !i.path.startsWith("tags"));
  return (
    <form class="panel create-flag" onSubmit={submit} aria-labelledby="create-flag-title">
      <h2 id="create-flag-title">New flag</h2>
      <div class="fields">
        <TextField label="Key" value={key} onValue={setKey} placeholder="new-search" required issues={issues} path="key" />
        <TextField label="Name" value={name} onValue={setName} placeholder="New search" issues={issues} path="name" />
        <KindSelect value={kind} onChange={setKind} />
        <label>
          Tags (comma-separated)
          <input value={tags} onInput={(e) => setTags(e.currentTarget.value)} placeholder="search, web" />
          {issues
            .filter((i) => i.path.startsWith("tags"))
            .map((i) => (
              <FieldProblems key={i.path} issues={issues} path={i.path} />
            ))}
        </label>
        <TextField label="Owner" value={owner} onValue={setOwner} placeholder="team-search" issues={issues} path="owner" />
      </div>
      {error !== null && (issues.length === 0 || otherIssues.length > 0) && <Problem error={error} />}
      <div class="actions">
        <button type="submit" class="primary">
          Create flag
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
