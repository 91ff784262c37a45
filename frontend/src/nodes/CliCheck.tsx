import type { CliProbe, CliTool } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../host";
import { errorText } from "../ui/error-text";
import { probeSummary } from "./node-hub-logic";

/** "Check version": runs the entry's CLI version probe and shows what it found. */
export function CliCheck({ slug, name, tool }: { slug: string; name: string; tool: CliTool }) {
  const { client } = useHost();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ probe: CliProbe } | { error: string } | null>(null);

  const check = () => {
    setBusy(true);
    setResult(null);
    client.nodeProbeCli(slug).then(
      (probe) => {
        setBusy(false);
        setResult({ probe });
      },
      (cause: unknown) => {
        setBusy(false);
        setResult({ error: errorText(asAppError(cause)) });
      },
    );
  };

  const summary = result !== null && "probe" in result ? probeSummary(result.probe) : null;

  return (
    <div className="cli-check">
      <span className="muted">
        Needs <code>{tool.name}</code> {tool.version} or newer
      </span>
      <button type="button" aria-label={`Check version of ${name}`} disabled={busy} onClick={check}>
        {busy ? "Checking…" : "Check version"}
      </button>
      <span role="status">
        {summary !== null && <span className={summary.ok ? "saved" : "error"}>{summary.text}</span>}
        {result !== null && "error" in result && <span className="error">Check failed: {result.error}</span>}
      </span>
    </div>
  );
}
