import { useState } from "preact/hooks";
import type { Flag, FlagMetadata, VariationValue } from "../api/types";

type FlagMetadataValue = FlagMetadata[string];
import { useApp } from "../app-context";
import { Problem } from "../components/problem";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";

/** One variation as edited: the value as JSON text, so every flag kind edits the same way. */
interface VariationRow {
  /** Absent for a variation added here: the server gives it an id. */
  id?: string;
  name: string;
  value: string;
  description: string;
}

interface MetadataRow {
  key: string;
  value: string;
}

const toRows = (flag: Flag): VariationRow[] =>
  flag.variations.map((v) => ({ id: v.id, name: v.name, value: JSON.stringify(v.value), description: v.description ?? "" }));

/** JSON when it parses (`42`, `true`, `"x"`, `{…}`), else the text itself: a plain word is a string. */
function readValue(text: string): VariationValue {
  try {
    // Parsed boundary: the server validates the value against the flag's kind.
    return JSON.parse(text) as VariationValue;
  } catch {
    return text;
  }
}

/** A metadata value keeps its type when it reads as a number or a boolean. */
function readMetadataValue(text: string): FlagMetadataValue {
  if (text === "true" || text === "false") return text === "true";
  const number = Number(text);
  return text.trim() !== "" && Number.isFinite(number) ? number : text;
}

/**
 * The flag's variations and metadata, shared by every environment. Configs refer to variations by
 * id, which never changes: renaming one, changing its value or reordering the list changes no
 * environment's choice. Removing one that a config still serves is refused by the server (409),
 * naming each use.
 */
export function VariationsPanel(props: { flag: Flag; onSaved(): void }) {
  const { api } = useApp();
  const [rows, setRows] = useState<VariationRow[]>(() => toRows(props.flag));
  const [metadata, setMetadata] = useState<MetadataRow[]>(() =>
    Object.entries(props.flag.metadata ?? {}).map(([key, value]) => ({ key, value: String(value) })),
  );
  const { issues, failure, run } = useSubmit();

  const update = (index: number, change: Partial<VariationRow>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const updateMetadata = (index: number, change: Partial<MetadataRow>) =>
    setMetadata(metadata.map((row, i) => (i === index ? { ...row, ...change } : row)));

  const save = async (event: Event) => {
    event.preventDefault();
    const body = {
      variations: rows.map((row) => ({
        ...(row.id === undefined ? {} : { id: row.id }),
        name: row.name.trim(),
        value: readValue(row.value),
        description: row.description,
      })),
      metadata: Object.fromEntries(metadata.filter((m) => m.key.trim() !== "").map((m) => [m.key.trim(), readMetadataValue(m.value)])),
    };
    if (await run(() => api.send("PATCH", `/api/flags/${encodeURIComponent(props.flag.key)}`, body))) props.onSaved();
  };

  return (
    <section class="panel" aria-labelledby="variations-title">
      <h2 id="variations-title">Variations</h2>
      <form onSubmit={save} aria-label={`Variations of ${props.flag.key}`}>
        {rows.map((row, index) => (
          <fieldset key={row.id ?? `new-${index}`} class="fields">
            <legend>
              {row.id === undefined ? (
                "New variation"
              ) : (
                <code title="Its id: configs refer to it by this, and it never changes">{row.id}</code>
              )}
            </legend>
            <TextField
              label={`Name of variation ${index + 1}`}
              value={row.name}
              onValue={(name) => update(index, { name })}
              issues={issues}
              path={`variations[${index}].name`}
            />
            <TextField
              label={`Value of variation ${index + 1}`}
              value={row.value}
              onValue={(value) => update(index, { value })}
              issues={issues}
              path={`variations[${index}].value`}
              within
            />
            <TextField
              label={`Description of variation ${index + 1}`}
              value={row.description}
              onValue={(description) => update(index, { description })}
              issues={issues}
              path={`variations[${index}].description`}
            />
            <button type="button" onClick={() => setRows(rows.filter((_, i) => i !== index))}>
              Remove variation {index + 1}
            </button>
          </fieldset>
        ))}
        <button type="button" onClick={() => setRows([...rows, { name: "", value: "", description: "" }])}>
          Add variation
        </button>

        <h3>Metadata</h3>
        <p class="muted small">Served to every SDK and web page as OpenFeature flag metadata: nothing secret.</p>
        {metadata.map((row, index) => (
          <div key={index} class="fields">
            <TextField
              label={`Metadata key ${index + 1}`}
              value={row.key}
              onValue={(key) => updateMetadata(index, { key })}
              issues={issues}
              path="metadata"
              within
            />
            <TextField label={`Metadata value ${index + 1}`} value={row.value} onValue={(value) => updateMetadata(index, { value })} />
            <button type="button" onClick={() => setMetadata(metadata.filter((_, i) => i !== index))}>
              Remove metadata {index + 1}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setMetadata([...metadata, { key: "", value: "" }])}>
          Add metadata
        </button>

        {failure !== null && <Problem error={failure} />}
        <button type="submit" class="primary">
          Update variations and metadata
        </button>
      </form>
    </section>
  );
}
