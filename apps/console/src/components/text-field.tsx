import type { Issue } from "../api/api-client";
import { FieldProblems } from "./problem";

/** A labelled text input (or textarea with `rows`), with the API's problems at `path` under it. */
export function TextField(props: {
  label: string;
  value: string;
  onValue(value: string): void;
  issues?: readonly Issue[];
  path?: string;
  within?: boolean;
  rows?: number;
  placeholder?: string;
  required?: boolean;
}) {
  const common = {
    value: props.value,
    placeholder: props.placeholder,
    required: props.required,
    onInput: (e: { currentTarget: { value: string } }) => props.onValue(e.currentTarget.value),
  };
  return (
    <label>
      {props.label}
      {props.rows === undefined ? <input {...common} /> : <textarea rows={props.rows} {...common} />}
      {props.issues !== undefined && props.path !== undefined && (
        <FieldProblems issues={props.issues} path={props.path} within={props.within === true} />
      )}
    </label>
  );
}
