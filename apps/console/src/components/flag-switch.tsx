/** An on/off switch: a button with role="switch", so Space and Enter toggle it and readers say its state. */
export function FlagSwitch(props: { checked: boolean; label: string; disabled?: boolean; onToggle(): void }) {
  return (
    <button
      type="button"
      role="switch"
      class="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      disabled={props.disabled}
      onClick={props.onToggle}
    >
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      <span class="switch-text">{props.checked ? "On" : "Off"}</span>
    </button>
  );
}
