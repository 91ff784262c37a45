import type { AppError, AppInfo } from "@flow/bindings";
import { useEffect, useState } from "react";
import { BrowserRouter } from "react-router";
import { asAppError, useAuthRequired, useHost } from "../host";
import { SettingsProvider } from "../settings/settings-store";
import { ThemeSync } from "../theme/ThemeSync";
import { Shell } from "./Shell";
import { SignIn } from "./SignIn";

/** Gates the app on a working, authenticated connection to the core. */
export function Root({ signInError }: { signInError: string | null }) {
  const host = useHost();
  const authRequired = useAuthRequired();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [failure, setFailure] = useState<AppError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (authRequired) return;
    let cancelled = false;
    host.client.appInfo().then(
      (next) => {
        if (cancelled) return;
        setInfo(next);
        setFailure(null);
        host.start();
      },
      (cause: unknown) => {
        if (cancelled) return;
        const error = asAppError(cause);
        // Unauthorized flips the session's `required` in the host, which shows the sign-in screen.
        if (error.kind !== "Unauthorized") setFailure(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [host, authRequired, attempt]);

  if (authRequired) return <SignIn initialError={signInError} />;

  if (failure !== null) {
    return (
      <main className="sign-in">
        <div className="card" role="alert">
          <h1>Flow is not reachable</h1>
          <p>{failure.error}</p>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setFailure(null);
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </button>
        </div>
      </main>
    );
  }

  if (info === null) {
    return (
      <main className="sign-in" aria-busy="true">
        <p className="muted">Starting Flow…</p>
      </main>
    );
  }

  return (
    <SettingsProvider>
      <ThemeSync />
      <BrowserRouter>
        <Shell info={info} />
      </BrowserRouter>
    </SettingsProvider>
  );
}
