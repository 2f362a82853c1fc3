import { useState } from "preact/hooks";
import type { Condition, Segment } from "../api/types";
import { useApp } from "../app-context";
import { Problem } from "../components/problem";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";
import { ConditionEditor } from "./rule-editor";

export const keysOf = (text: string) =>
  text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter((k) => k !== "");

type SegmentRule = Segment["rules"][number];

/** Replaces a segment (PUT with `If-Match`): its keys in and out, and rules matching by attributes. */
export function SegmentEditor({ segment, onDone }: { segment: Segment; onDone(): void }) {
  const { api } = useApp();
  // The version this edit started from: a change saved meanwhile by someone else makes the PUT a 409.
  const [baseVersion] = useState(segment.version);
  const [name, setName] = useState(segment.name);
  const [description, setDescription] = useState(segment.description);
  const [included, setIncluded] = useState(segment.included.join("\n"));
  const [excluded, setExcluded] = useState(segment.excluded.join("\n"));
  const [rules, setRules] = useState<SegmentRule[]>(segment.rules);
  const [comment, setComment] = useState("");
  const { issues, failure, run } = useSubmit();

  const setCondition = (ruleIndex: number, conditionIndex: number, condition: Condition | null) =>
    setRules(
      rules.map((rule, i) =>
        i !== ruleIndex
          ? rule
          : {
              ...rule,
              conditions: rule.conditions.flatMap((c, j) => (j !== conditionIndex ? [c] : condition === null ? [] : [condition])),
            },
      ),
    );

  const save = async (event: Event) => {
    event.preventDefault();
    const body = {
      name: name.trim() === "" ? segment.key : name.trim(),
      description,
      included: keysOf(included),
      excluded: keysOf(excluded),
      rules: rules.map((rule) => ({
        ...rule,
        conditions: rule.conditions.map((c) => ({ ...c, values: c.values.filter((v) => typeof v !== "string" || v.trim() !== "") })),
      })),
      ...(comment.trim() === "" ? {} : { comment: comment.trim() }),
    };
    const path = `/api/segments/${encodeURIComponent(segment.key)}`;
    if (await run(() => api.send("PUT", path, body, { "if-match": `"${baseVersion}"` }))) onDone();
  };

  return (
    <form class="panel" onSubmit={save} aria-label={`Edit segment ${segment.key}`}>
      <h2>
        Edit <code>{segment.key}</code> <span class="muted small">from version {baseVersion}</span>
      </h2>
      <div class="fields">
        <TextField label="Name" value={name} onValue={setName} issues={issues} path="name" />
        <TextField label="Description" value={description} onValue={setDescription} />
        <TextField label="Included context keys" value={included} onValue={setIncluded} rows={4} issues={issues} path="included" within />
        <TextField label="Excluded context keys" value={excluded} onValue={setExcluded} rows={4} issues={issues} path="excluded" within />
      </div>
      {rules.map((rule, ruleIndex) => (
        <fieldset class="rule" key={rule.id ?? `new-${ruleIndex}`}>
          <legend>Rule {ruleIndex + 1} (every condition must hold)</legend>
          {rule.conditions.map((condition, conditionIndex) => (
            <ConditionEditor
              key={conditionIndex}
              index={conditionIndex}
              condition={condition}
              path={`rules[${ruleIndex}].conditions[${conditionIndex}]`}
              issues={issues}
              onChange={(c) => setCondition(ruleIndex, conditionIndex, c)}
              onRemove={() => setCondition(ruleIndex, conditionIndex, null)}
            />
          ))}
          <div class="actions">
            <button
              type="button"
              onClick={() =>
                setRules(
                  rules.map((r, i) =>
                    i !== ruleIndex ? r : { ...r, conditions: [...r.conditions, { attribute: "", operator: "in", values: [] }] },
                  ),
                )
              }
            >
              Add condition
            </button>
            <button type="button" class="danger" onClick={() => setRules(rules.filter((_, i) => i !== ruleIndex))}>
              Remove rule {ruleIndex + 1}
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" onClick={() => setRules([...rules, { conditions: [{ attribute: "", operator: "in", values: [] }] }])}>
        Add rule
      </button>
      <TextField label="Comment (goes to the audit log)" value={comment} onValue={setComment} />
      {failure !== null && <Problem error={failure} />}
      <div class="actions">
        <button type="submit" class="primary">
          Save segment
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
