import { useState } from "preact/hooks";
import type { Flag, FlagKind } from "../api/types";
import { useApp } from "../app-context";
import { Problem } from "../components/problem";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";
import { KindSelect, splitTags } from "./create-flag-form";

/** The flag's own fields, shared by every environment: name, description, kind, tags, owner, permanence. */
export function FlagDetailsForm({ flag, onSaved }: { flag: Flag; onSaved(): void }) {
  const { api } = useApp();
  const [name, setName] = useState(flag.name);
  const [description, setDescription] = useState(flag.description);
  const [kind, setKind] = useState<FlagKind>(flag.kind);
  const [tags, setTags] = useState(flag.tags.join(", "));
  const [owner, setOwner] = useState(flag.owner ?? "");
  const [permanent, setPermanent] = useState(flag.permanent);
  const { issues, failure, run } = useSubmit();

  const save = async (event: Event) => {
    event.preventDefault();
    const body = {
      name: name.trim(),
      description,
      kind,
      tags: splitTags(tags),
      owner: owner.trim() === "" ? null : owner.trim(),
      permanent,
    };
    if (await run(() => api.send("PATCH", `/api/flags/${encodeURIComponent(flag.key)}`, body))) onSaved();
  };

  return (
    <details class="panel">
      <summary>Flag details (every environment)</summary>
      <form onSubmit={save} aria-label={`Details of ${flag.key}`}>
        <div class="fields">
          <TextField label="Name" value={name} onValue={setName} issues={issues} path="name" />
          <TextField label="Description" value={description} onValue={setDescription} issues={issues} path="description" />
          <KindSelect value={kind} onChange={setKind} />
          <TextField label="Tags (comma-separated)" value={tags} onValue={setTags} issues={issues} path="tags" within />
          <TextField label="Owner" value={owner} onValue={setOwner} issues={issues} path="owner" />
          <label class="check">
            <input type="checkbox" checked={permanent} onChange={(e) => setPermanent(e.currentTarget.checked)} />
            Permanent (never reported as past its lifetime)
          </label>
        </div>
        {failure !== null && <Problem error={failure} />}
        <button type="submit" class="primary">
          Save details
        </button>
      </form>
    </details>
  );
}
