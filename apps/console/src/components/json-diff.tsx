import { diffLines } from "./line-diff";

const MARK = { same: " ", added: "+", removed: "-" } as const;

/** Two JSON values side by side as one unified diff; unchanged stretches are kept short. */
export function JsonDiff({ before, after, label }: { before: unknown; after: unknown; label: string }) {
  const lines = diffLines(JSON.stringify(before, null, 2) ?? "", JSON.stringify(after, null, 2) ?? "");
  if (lines.every((l) => l.kind === "same")) return <p class="muted">No difference.</p>;
  const near = (index: number) => lines.slice(Math.max(0, index - 2), index + 3).some((l) => l.kind !== "same");
  return (
    <pre class="diff" aria-label={label}>
      {lines.map((line, index) =>
        line.kind !== "same" || near(index) ? (
          <div key={index} class={`diff-${line.kind}`}>
            {MARK[line.kind]} {line.text}
          </div>
        ) : index > 0 && near(index - 1) ? (
          <div key={index} class="diff-gap">
            …
          </div>
        ) : null,
      )}
    </pre>
  );
}
