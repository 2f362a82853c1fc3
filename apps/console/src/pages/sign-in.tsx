import { useEffect, useState } from "preact/hooks";
import { ApiError, createApiClient } from "../api/api-client";

function signInProblem(error: unknown): string {
  if (!(error instanceof ApiError)) return "Signing in failed unexpectedly; try again.";
  if (error.status === 401) return "The server does not know this token. Check that you pasted the whole admin token (sy_admin_…).";
  if (error.status === 403) return `This token cannot sign in to the console: ${error.message}.`;
  if (error.status === 0) return "The server cannot be reached. Is it running?";
  return `Signing in failed: ${error.message}`;
}

/** Checks the token against the admin API before keeping it: a wrong token never gets past here. */
export function SignIn({ onSignedIn }: { onSignedIn(token: string): void }) {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Sign in · Switchyard";
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === "") {
      setProblem("Paste the admin token the server printed at its first start.");
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await createApiClient(candidate).get("/api/environments");
      onSignedIn(candidate);
    } catch (error) {
      setProblem(signInProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Switchyard</h1>
        <p>Sign in with an admin token. It is kept in this tab only, until you sign out or close it.</p>
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? undefined : "sign-in-error"}
        />
        {problem !== null && (
          <p id="sign-in-error" class="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
