import { useState } from "preact/hooks";
import type { Environment } from "../api/types";
import { useApp } from "../app-context";
import { Table } from "../components/table";
import { Problem, when } from "../components/problem";
import { useResource } from "../use-resource";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";
import { EnvironmentEditor } from "./environment-editor";

/** Environments: list and create (a new one gets every flag, off). */
export function EnvironmentsPage() {
  const { api, revision } = useApp();
  const environments = useResource(() => api.get<{ environments: Environment[] }>("/api/environments"), [api, revision]);
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const { issues, failure, run } = useSubmit();
  const [editing, setEditing] = useState<string | null>(null);
  const edited = environments.data?.environments.find((e) => e.key === editing);

  const create = async (event: Event) => {
    event.preventDefault();
    const body = { key: key.trim(), ...(name.trim() === "" ? {} : { name: name.trim() }) };
    if (await run(() => api.send("POST", "/api/environments", body))) {
      setKey("");
      setName("");
    }
    environments.reload();
  };

  return (
    <section aria-labelledby="environments-title">
      <h1 id="environments-title">Environments</h1>
      {environments.error && <Problem error={environments.error} />}
      {environments.data && (
        <Table columns={["Key", "Name", "Production", "Decision webhook", "Created", { hidden: "Edit" }]}>
          <tbody>
            {environments.data.environments.map((env) => (
              <tr key={env.key}>
                <td>
                  <code>{env.key}</code>
                </td>
                <td>{env.name}</td>
                <td>{env.production ? "yes (rehearsals refused)" : "no"}</td>
                <td>{env.webhookUrl === null ? "—" : `${env.webhookUrl}${env.webhookSecretSet ? " (signed)" : ""}`}</td>
                <td>{when(env.createdAt)}</td>
                <td>
                  <button type="button" onClick={() => setEditing(env.key)} aria-label={`Edit environment ${env.key}`}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {edited !== undefined && (
        <EnvironmentEditor
          key={edited.key}
          environment={edited}
          onDone={() => {
            setEditing(null);
            environments.reload();
          }}
        />
      )}
      <form class="panel" onSubmit={create} aria-labelledby="new-environment-title">
        <h2 id="new-environment-title">New environment</h2>
        <div class="fields">
          <TextField label="Key" value={key} onValue={setKey} placeholder="qa" required issues={issues} path="key" />
          <TextField label="Name" value={name} onValue={setName} placeholder="QA" issues={issues} path="name" />
        </div>
        {failure !== null && issues.length === 0 && <Problem error={failure} />}
        <button type="submit" class="primary">
          Create environment
        </button>
      </form>
    </section>
  );
}
