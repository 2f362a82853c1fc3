import { useState } from "preact/hooks";
import { tokenKinds, type Environment, type Token, type TokenKind } from "../api/types";
import { useApp } from "../app-context";
import { Table } from "../components/table";
import { FieldProblems, Problem, when } from "../components/problem";
import { useResource } from "../use-resource";
import { TextField } from "../components/text-field";
import { useSubmit } from "../use-submit";

/** API tokens: create (the secret is shown once, here), list by hint, revoke. */
export function TokensPage() {
  const { api, revision } = useApp();
  const tokens = useResource(() => api.get<{ tokens: Token[] }>("/api/tokens"), [api, revision]);
  const environments = useResource(() => api.get<{ environments: Environment[] }>("/api/environments"), [api, revision]);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<TokenKind>("server");
  const [environment, setEnvironment] = useState("production");
  const [relayEnvironments, setRelayEnvironments] = useState<string[]>(["production"]);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const { issues, failure, run } = useSubmit();
  const [confirm, setConfirm] = useState<string | null>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setCopied(false);
    await run(async () => {
      const scope = kind === "admin" ? {} : kind === "relay" ? { environments: relayEnvironments } : { environment };
      const body = { name: name.trim(), kind, ...scope };
      const answer = await api.send<Token & { token: string }>("POST", "/api/tokens", body);
      setCreated({ name: answer.name, token: answer.token });
      setName("");
    });
    tokens.reload();
  };

  const revoke = async (token: Token) => {
    setConfirm(null);
    await run(() => api.send("DELETE", `/api/tokens/${encodeURIComponent(token.id)}`));
    tokens.reload();
  };

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">Tokens</h1>
      <form class="panel" onSubmit={create} aria-labelledby="new-token-title">
        <h2 id="new-token-title">New token</h2>
        <div class="fields">
          <TextField label="Name" value={name} onValue={setName} placeholder="checkout-service" required issues={issues} path="name" />
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(tokenKinds.find((k) => k === e.currentTarget.value) ?? "server")}>
              {tokenKinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          {kind === "relay" && (
            <label>
              Environments
              <select multiple onChange={(e) => setRelayEnvironments([...e.currentTarget.selectedOptions].map((o) => o.value))}>
                {(environments.data?.environments ?? []).map((env) => (
                  <option key={env.key} value={env.key} selected={relayEnvironments.includes(env.key)}>
                    {env.name}
                  </option>
                ))}
              </select>
              <FieldProblems issues={issues} path="environments" />
            </label>
          )}
          {kind !== "admin" && kind !== "relay" && (
            <label>
              Environment
              <select value={environment} onChange={(e) => setEnvironment(e.currentTarget.value)}>
                {(environments.data?.environments ?? []).map((env) => (
                  <option key={env.key} value={env.key}>
                    {env.name}
                  </option>
                ))}
              </select>
              <FieldProblems issues={issues} path="environment" />
            </label>
          )}
        </div>
        <button type="submit" class="primary">
          Create token
        </button>
      </form>
      {created !== null && (
        <div class="notice secret" role="status">
          <p>
            The secret of <strong>{created.name}</strong>, shown this once (only its hash is stored):
          </p>
          <code class="secret-value">{created.token}</code>{" "}
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(created.token).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>{" "}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {failure !== null && <Problem error={failure} />}
      {tokens.data && (
        <Table columns={["Name", "Kind", "Environment", "Ends in", "Created", { hidden: "Revoke" }]}>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.kind}</td>
                <td>{t.environments?.join(", ") ?? t.environment ?? "all"}</td>
                <td>
                  <code>…{t.hint}</code>
                </td>
                <td>
                  {when(t.createdAt)}
                  {t.createdBy !== null && ` by ${t.createdBy}`}
                </td>
                <td>
                  {confirm === t.id ? (
                    <span class="confirm">
                      <button type="button" class="danger" onClick={() => void revoke(t)}>
                        Revoke {t.name}
                      </button>
                      <button type="button" onClick={() => setConfirm(null)}>
                        Keep
                      </button>
                    </span>
                  ) : (
                    <button type="button" onClick={() => setConfirm(t.id)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
