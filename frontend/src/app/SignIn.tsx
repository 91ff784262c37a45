import { useState, type SubmitEvent } from "react";
import { asAppError, useHost } from "../host";

/** The sign-in screen of a host with a session: trades the server's access token for a session. */
export function SignIn({ initialError }: { initialError: string | null }) {
  const { session } = useHost().capabilities;
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed === "" || session === null) return;
    setBusy(true);
    setError(null);
    try {
      await session.signIn(trimmed);
    } catch (cause) {
      const appError = asAppError(cause);
      setError(appError.kind === "Unauthorized" ? "That token was not accepted." : appError.error);
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">Sign in to Flow</h1>
        <p className="muted">
          Open the login URL the server printed when it started, or paste its access token here.
        </p>
        <label htmlFor="sign-in-token">Access token</label>
        <input
          id="sign-in-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => {
            setToken(event.target.value);
          }}
          aria-describedby={error === null ? undefined : "sign-in-error"}
          aria-invalid={error !== null}
        />
        {error !== null && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
