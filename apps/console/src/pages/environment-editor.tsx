import { useState } from "preact/hooks";
import type { Environment } from "../api/types";
import { useApp } from "../app-context";
import { FieldProblems, Problem } from "../components/problem";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";

/** An environment's name, deploy-decision webhook (the secret is write-only) and production mark, or its deletion. */
export function EnvironmentEditor({ environment, onDone }: { environment: Environment; onDone(): void }) {
  const { api } = useApp();
  const [name, setName] = useState(environment.name);
  const [webhookUrl, setWebhookUrl] = useState(environment.webhookUrl ?? "");
  const [webhookSecret, setWebhookSecret] = useState("");
  const [production, setProduction] = useState(environment.production);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { issues, failure, run } = useSubmit();
  const path = `/api/environments/${encodeURIComponent(environment.key)}`;

  const save = async (event: Event) => {
    event.preventDefault();
    const body = {
      name: name.trim(),
      webhookUrl: webhookUrl.trim() === "" ? null : webhookUrl.trim(),
      production,
      ...(webhookSecret === "" ? {} : { webhookSecret }),
    };
    if (await run(() => api.send("PATCH", path, body))) onDone();
  };

  const remove = async () => {
    if (await run(() => api.send("DELETE", path))) onDone();
  };

  return (
    <form class="panel" onSubmit={save} aria-label={`Edit environment ${environment.key}`}>
      <h2>
        Edit <code>{environment.key}</code>
      </h2>
      <div class="fields">
        <TextField label="Name" value={name} onValue={setName} issues={issues} path="name" />
        <label>
          Deploy-decision webhook URL
          <input type="url" value={webhookUrl} onInput={(e) => setWebhookUrl(e.currentTarget.value)} placeholder="https://…" />
          <FieldProblems issues={issues} path="webhookUrl" />
        </label>
        <label>
          Webhook secret {environment.webhookSecretSet ? "(set; type to replace)" : "(not set)"}
          <input type="password" autocomplete="off" value={webhookSecret} onInput={(e) => setWebhookSecret(e.currentTarget.value)} />
          <FieldProblems issues={issues} path="webhookSecret" />
        </label>
        <label>
          <input type="checkbox" checked={production} onChange={(e) => setProduction(e.currentTarget.checked)} /> Production: refuse
          rollback rehearsals here unless explicitly allowed
          <FieldProblems issues={issues} path="production" />
        </label>
      </div>
      {failure !== null && <Problem error={failure} />}
      <div class="actions">
        <button type="submit" class="primary">
          Save environment
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        {confirmDelete ? (
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete {environment.key} with its configs and tokens
          </button>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )}
      </div>
    </form>
  );
}
