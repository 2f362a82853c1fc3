import type { Issue } from "../api/api-client";
import { operators, type Condition, type Operator, type RuleDraft, type Segment, type Variation } from "../api/types";
import { FieldProblems } from "../components/problem";
import { ServeEditor } from "./serve-editor";

const NUMERIC: readonly Operator[] = ["lt", "lte", "gt", "gte"];
const HINTS: Partial<Record<Operator, string>> = {
  in: "one value per line",
  contains: "one substring per line",
  startsWith: "one prefix per line",
  endsWith: "one suffix per line",
  matches: "one RE2 pattern per line",
  lt: "a number",
  lte: "a number",
  gt: "a number",
  gte: "a number",
  before: "ISO-8601 date or epoch milliseconds",
  after: "ISO-8601 date or epoch milliseconds",
  semverEq: "a version, e.g. 1.4.2",
  semverLt: "a version, e.g. 1.4.2",
  semverGt: "a version, e.g. 1.4.2",
};

/** Typed as the operator wants it: numbers for comparisons, epoch milliseconds for dates given as digits. */
function parseValue(operator: Operator, text: string): string | number {
  const trimmed = text.trim();
  if (NUMERIC.includes(operator) && trimmed !== "" && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if ((operator === "before" || operator === "after") && /^\d+$/.test(trimmed)) return Number(trimmed);
  return text;
}

export function ConditionEditor(props: {
  condition: Condition;
  path: string;
  index: number;
  issues: readonly Issue[];
  onChange(condition: Condition): void;
  onRemove(): void;
}) {
  const { condition, path } = props;
  const valuesId = `${path}-values`;
  const single = NUMERIC.includes(condition.operator);
  return (
    <div class="condition" role="group" aria-label={`Condition ${props.index + 1}`}>
      <label>
        Attribute
        <input value={condition.attribute} onInput={(e) => props.onChange({ ...condition, attribute: e.currentTarget.value })} />
        <FieldProblems issues={props.issues} path={`${path}.attribute`} />
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={condition.negate === true}
          onChange={(e) => props.onChange({ ...condition, negate: e.currentTarget.checked })}
        />
        not
      </label>
      <label>
        Operator
        <select
          value={condition.operator}
          onChange={(e) => {
            const operator = operators.find((o) => o === e.currentTarget.value) ?? "in";
            props.onChange({ ...condition, operator, values: operator === "exists" ? [] : condition.values });
          }}
        >
          {operators.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <FieldProblems issues={props.issues} path={`${path}.operator`} />
      </label>
      {condition.operator !== "exists" && (
        <label class="values">
          Values <span class="muted small">({HINTS[condition.operator]})</span>
          {single ? (
            <input
              id={valuesId}
              inputMode="decimal"
              value={condition.values.map(String).join("")}
              onInput={(e) => props.onChange({ ...condition, values: [parseValue(condition.operator, e.currentTarget.value)] })}
            />
          ) : (
            <textarea
              id={valuesId}
              rows={Math.min(6, Math.max(2, condition.values.length + 1))}
              value={condition.values.map(String).join("\n")}
              onInput={(e) =>
                props.onChange({ ...condition, values: e.currentTarget.value.split("\n").map((v) => parseValue(condition.operator, v)) })
              }
            />
          )}
          <FieldProblems issues={props.issues} path={`${path}.values`} within />
        </label>
      )}
      <button type="button" class="link" onClick={props.onRemove} aria-label={`Remove condition ${props.index + 1}`}>
        Remove
      </button>
      <FieldProblems issues={props.issues} path={path} />
    </div>
  );
}

/** Empty lines are an artefact of one-per-line editing, not values. */
export function withoutBlankValues(rule: RuleDraft): RuleDraft {
  return {
    ...rule,
    conditions: rule.conditions.map((c) => ({ ...c, values: c.values.filter((v) => typeof v !== "string" || v.trim() !== "") })),
  };
}

export function RuleEditor(props: {
  rule: RuleDraft;
  index: number;
  count: number;
  variations: Variation[];
  segments: Segment[];
  issues: readonly Issue[];
  onChange(rule: RuleDraft): void;
  onMove(by: -1 | 1): void;
  onRemove(): void;
}) {
  const { rule, index } = props;
  const path = `rules[${index}]`;
  const chosen = rule.segments ?? [];
  const setCondition = (at: number, condition: Condition | null) => {
    const conditions = rule.conditions.flatMap((c, i) => (i !== at ? [c] : condition === null ? [] : [condition]));
    props.onChange({ ...rule, conditions });
  };
  return (
    <fieldset class="rule" data-rule={index}>
      <legend>
        Rule {index + 1}
        {rule.id !== undefined && <span class="muted small"> ({rule.id})</span>}
      </legend>
      <div class="rule-tools">
        <button type="button" disabled={index === 0} onClick={() => props.onMove(-1)} aria-label={`Move rule ${index + 1} up`}>
          ↑
        </button>
        <button
          type="button"
          disabled={index === props.count - 1}
          onClick={() => props.onMove(1)}
          aria-label={`Move rule ${index + 1} down`}
        >
          ↓
        </button>
        <button type="button" class="danger" onClick={props.onRemove} aria-label={`Remove rule ${index + 1}`}>
          Remove rule
        </button>
      </div>
      <p class="muted small">Matches when every condition holds and the context is in every chosen segment.</p>
      {rule.conditions.map((condition, i) => (
        <ConditionEditor
          key={i}
          index={i}
          condition={condition}
          path={`${path}.conditions[${i}]`}
          issues={props.issues}
          onChange={(c) => setCondition(i, c)}
          onRemove={() => setCondition(i, null)}
        />
      ))}
      <button
        type="button"
        onClick={() => props.onChange({ ...rule, conditions: [...rule.conditions, { attribute: "", operator: "in", values: [] }] })}
      >
        Add condition
      </button>
      {props.segments.length > 0 && (
        <fieldset class="segments">
          <legend>Segments</legend>
          {props.segments.map((s) => (
            <label key={s.key} class="check">
              <input
                type="checkbox"
                checked={chosen.includes(s.key)}
                onChange={(e) =>
                  props.onChange({
                    ...rule,
                    segments: e.currentTarget.checked ? [...chosen, s.key] : chosen.filter((k) => k !== s.key),
                  })
                }
              />
              {s.key}
            </label>
          ))}
          <FieldProblems issues={props.issues} path={`${path}.segments`} within />
        </fieldset>
      )}
      <ServeEditor
        label={`Rule ${index + 1} serves`}
        serve={rule.serve}
        variations={props.variations}
        path={`${path}.serve`}
        issues={props.issues}
        onChange={(serve) => props.onChange({ ...rule, serve })}
      />
      <FieldProblems issues={props.issues} path={path} />
    </fieldset>
  );
}
