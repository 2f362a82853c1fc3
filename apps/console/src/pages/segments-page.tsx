import { useState } from "preact/hooks";
import type { Segment } from "../api/types";
import { useApp } from "../app-context";
import { Table } from "../components/table";
import { Problem, when } from "../components/problem";
import { useResource } from "../use-resource";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";
import { keysOf, SegmentEditor } from "./segment-editor";

/** Segments: who is in each (included keys, rules), and a new one from a list of keys. */
export function SegmentsPage() {
  const { api, revision } = useApp();
  const segments = useResource(() => api.get<{ segments: Segment[] }>("/api/segments"), [api, revision]);
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [included, setIncluded] = useState("");
  const { issues, failure, run } = useSubmit();
  const [editing, setEditing] = useState<string | null>(null);
  const edited = segments.data?.segments.find((s) => s.key === editing);

  const create = async (event: Event) => {
    event.preventDefault();
    const body = {
      key: key.trim(),
      ...(name.trim() === "" ? {} : { name: name.trim() }),
      included: keysOf(included),
      excluded: [],
      rules: [],
    };
    if (await run(() => api.send("POST", "/api/segments", body))) {
      setKey("");
      setName("");
      setIncluded("");
    }
    segments.reload();
  };

  const remove = async (segment: Segment) => {
    await run(() => api.send("DELETE", `/api/segments/${encodeURIComponent(segment.key)}`));
    segments.reload();
  };

  return (
    <section aria-labelledby="segments-title">
      <h1 id="segments-title">Segments</h1>
      {segments.error && <Problem error={segments.error} />}
      {failure !== null && issues.length === 0 && <Problem error={failure} />}
      {segments.data && (
        <Table columns={["Segment", "Included", "Excluded", "Rules", "Updated", { hidden: "Delete" }]}>
          <tbody>
            {segments.data.segments.map((s) => (
              <tr key={s.key}>
                <th scope="row">
                  <code>{s.key}</code> <span class="muted">{s.name}</span>
                  {s.description !== "" && <div class="muted small">{s.description}</div>}
                </th>
                <td>
                  {s.included.length === 0
                    ? "—"
                    : s.included.slice(0, 5).join(", ") + (s.included.length > 5 ? ` … (${s.included.length})` : "")}
                </td>
                <td>{s.excluded.length === 0 ? "—" : s.excluded.length}</td>
                <td>
                  {s.rules.map((r, i) => (
                    <div key={r.id ?? i} class="small">
                      {r.conditions
                        .map((c) => `${c.attribute} ${c.negate === true ? "not " : ""}${c.operator} ${c.values.join(", ")}`)
                        .join(" and ")}
                    </div>
                  ))}
                </td>
                <td>
                  v{s.version}, {when(s.updatedAt)}
                </td>
                <td class="row-actions">
                  <button type="button" onClick={() => setEditing(s.key)} aria-label={`Edit segment ${s.key}`}>
                    Edit
                  </button>
                  <button type="button" onClick={() => void remove(s)} aria-label={`Delete segment ${s.key}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {edited !== undefined && (
        <SegmentEditor
          key={edited.key}
          segment={edited}
          onDone={() => {
            setEditing(null);
            segments.reload();
          }}
        />
      )}
      <form class="panel" onSubmit={create} aria-labelledby="new-segment-title">
        <h2 id="new-segment-title">New segment</h2>
        <div class="fields">
          <TextField label="Key" value={key} onValue={setKey} placeholder="beta-testers" required issues={issues} path="key" />
          <TextField label="Name" value={name} onValue={setName} />
          <TextField
            label="Included context keys (one per line or comma-separated)"
            value={included}
            onValue={setIncluded}
            rows={3}
            issues={issues}
            path="included"
            within
          />
        </div>
        <button type="submit" class="primary">
          Create segment
        </button>
      </form>
    </section>
  );
}
