import type { Issue } from "../api/api-client";
import type { Rollout, Serve, Variation } from "../api/types";
import { FieldProblems } from "../components/problem";

export const variationLabel = (variation: Variation) => `${variation.name}: ${JSON.stringify(variation.value)}`;

/** Percent with up to three decimals, as the API's thousandths of a percent allow. */
const percentOf = (weight: number) => weight / 1000;
const weightOf = (percent: number) => Math.round(percent * 1000);

/** Picks a variation by id (what configs store), labelled by name and value. */
export function VariationSelect(props: { id?: string; label: string; variations: Variation[]; value: string; onChange(id: string): void }) {
  return (
    <select id={props.id} aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      {props.variations.map((v) => (
        <option key={v.id} value={v.id}>
          {variationLabel(v)}
        </option>
      ))}
    </select>
  );
}

/**
 * The rollout with `weight` for `id`: the rollout keeps its own bucket order, and a variation
 * it did not list yet goes last, so editing one share never moves contexts between others.
 */
function withWeight(rollout: Rollout, id: string, weight: number): Rollout {
  const at = rollout.variations.indexOf(id);
  if (at !== -1) return { ...rollout, weights: rollout.weights.map((w, i) => (i === at ? weight : w)) };
  return { ...rollout, variations: [...rollout.variations, id], weights: [...rollout.weights, weight] };
}

/** What a rule or the fallthrough serves: one variation, or a percentage rollout over all of them. */
export function ServeEditor(props: {
  serve: Serve;
  variations: Variation[];
  path: string;
  label: string;
  issues: readonly Issue[];
  onChange(serve: Serve): void;
}) {
  const { serve, variations, path } = props;
  const isRollout = "rollout" in serve;
  const weightOfVariation = (id: string) => (isRollout ? (serve.rollout.weights[serve.rollout.variations.indexOf(id)] ?? 0) : 0);
  const weights = variations.map((v) => weightOfVariation(v.id));
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
          onChange={() => props.onChange({ variation: isRollout ? (variations[0]?.id ?? "") : serve.variation })}
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
            props.onChange({ rollout: { bucketBy: "key", variations: variations.map((v) => v.id), weights: split } });
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
            <label key={v.id} class="weight">
              <span>{variationLabel(v)}</span>
              <input
                type="number"
                min={0}
                max={100}
                step={0.001}
                value={percentOf(weights[i] ?? 0)}
                aria-label={`${props.label}: percent for ${v.name}`}
                onInput={(e) => props.onChange({ rollout: withWeight(serve.rollout, v.id, weightOf(Number(e.currentTarget.value) || 0)) })}
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
