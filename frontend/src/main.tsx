import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Root } from "./app/Root";
import { asAppError, createHost, HostProvider, readUrlToken, stripUrlToken } from "./host";
import "./styles.css";

async function start(container: HTMLElement) {
  const host = await createHost();
  let signInError: string | null = null;

  // Done before React mounts so the session cookie exists before the first call is made.
  const session = host.capabilities.session;
  const token = session !== null ? readUrlToken() : null;
  if (session !== null && token !== null) {
    try {
      await session.signIn(token);
    } catch (cause) {
      const error = asAppError(cause);
      signInError =
        error.kind === "Unauthorized" ? "The token in that login link was not accepted." : error.error;
    } finally {
      stripUrlToken();
    }
  }

  createRoot(container).render(
    <StrictMode>
      <HostProvider host={host}>
        <Root signInError={signInError} />
      </HostProvider>
    </StrictMode>,
  );
}

const container = document.getElementById("root");
if (container === null) throw new Error("index.html has no #root element");
void start(container);
