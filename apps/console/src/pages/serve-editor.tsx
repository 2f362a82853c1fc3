import type { Issue } from "../api/api-client";
import type { Serve, VariationValue } from "../api/types";
import { FieldProblems } from "../components/problem";

export const variationLabel = (value: VariationValue, index: number) => `${index}: ${JSON.stringify(value)}`;

/** Percent with up to three decimals, as the API's thousandths of a percent allow. */
const percentOf = (weight: number) => weight / 1000;
const weightOf = (percent: number) => Math.round(percent * 1000);

export function VariationSelect(props: {
  id?: string;
  label: string;
  variations: VariationValue[];
  value: number;
  onChange(index: number): void;
}) {
  return (
    <select id={props.id} aria-label={props.label} value={props.value} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
      {props.variations.map((v, i) => (
        <option key={i} value={i}>
          {variationLabel(v, i)}
        </option>
      ))}
    </select>
  );
}

/** What a rule or the fallthrough serves: one variation, or a percentage rollout over all of them. */
export function ServeEditor(props: {
  serve: Serve;
  variations: VariationValue[];
  path: string;
  label: string;
  issues: readonly Issue[];
  onChange(serve: Serve): void;
}) {
  const { serve, variations, path } = props;
  const isRollout = "rollout" in serve;
  const weights = isRollout ? variations.map((_, i) => serve.rollout.weights[i] ?? 0) : [];
  const total = weights.reduce((sum, w) => sum + w, 0);
  const name = `${path}-serve`;
  return (
    <fieldset class="serve">
      <legend>{props.label}</legend>
      <label class="check">
        <input
          type="radio"
          name={name}
          checked={!isRollout}
          onChange={() => props.onChange({ variation: isRollout ? 0 : serve.variation })}
        />
        A variation
      </label>
      <label class="check">
        <input
          type="radio"
          name={name}
          checked={isRollout}
          onChange={() => {
            const even = Math.floor(100_000 / variations.length);
            const split = variations.map((_, i) => (i === 0 ? 100_000 - even * (variations.length - 1) : even));
            props.onChange({ rollout: { bucketBy: "key", weights: split } });
          }}
        />
        A percentage rollout
      </label>
      {!isRollout && (
        <div>
          <VariationSelect
            label={`${props.label}: variation`}
            variations={variations}
            value={serve.variation}
            onChange={(variation) => props.onChange({ variation })}
          />
          <FieldProblems issues={props.issues} path={`${path}.variation`} />
        </div>
      )}
      {isRollout && (
        <div class="rollout">
          {variations.map((v, i) => (
            <label key={i} class="weight">
              <span>{variationLabel(v, i)}</span>
              <input
                type="number"
                min={0}
                max={100}
                step={0.001}
                value={percentOf(weights[i] ?? 0)}
                aria-label={`${props.label}: percent for variation ${i}`}
                onInput={(e) => {
                  const next = [...weights];
                  next[i] = weightOf(Number(e.currentTarget.value) || 0);
                  props.onChange({ rollout: { ...serve.rollout, weights: next } });
                }}
              />
              %
            </label>
          ))}
          <p class={total === 100_000 ? "muted small" : "field-error"} role={total === 100_000 ? undefined : "status"}>
            Total {percentOf(total)} % {total === 100_000 ? "" : "— the percentages must sum to 100"}
          </p>
          <label>
            Bucket by attribute
            <input
              value={serve.rollout.bucketBy ?? "key"}
              onInput={(e) => props.onChange({ rollout: { ...serve.rollout, bucketBy: e.currentTarget.value } })}
            />
          </label>
          <FieldProblems issues={props.issues} path={`${path}.rollout`} within />
        </div>
      )}
      <FieldProblems issues={props.issues} path={path} />
    </fieldset>
  );
}
