import type { AppError, AuditRecord, MonitorInterception } from "@flow/bindings";
import { useCallback, useEffect, useState } from "react";
import { asAppError, useHost } from "../../host";

const STATUS_WORDS: Record<MonitorInterception["status"], string> = {
  planning: "Planning a fix",
  pending: "Waiting for a decision",
  fixed: "Fixed",
  resumed: "Resumed without fix",
  stopped: "Rejected, run stopped",
  abandoned: "Run ended first",
  reverted: "Fixed, then reverted",
};

/**
 * A run's agentic side on its page: the monitor's interceptions (an applied fix reverts from
 * here) and the AI audit log of the run (every model invocation, review and edit).
 */
export function RunAgenticSection({ executionId }: { executionId: string }) {
  const { client } = useHost();
  const [interceptions, setInterceptions] = useState<MonitorInterception[]>([]);
  const [audit, setAudit] = useState<AuditRecord[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    Promise.all([client.agenticInterceptions({ executionId }), client.agenticAudit({ executionId })]).then(
      ([found, records]) => {
        if (cancelled) return;
        setInterceptions(found);
        setAudit(records);
      },
      (cause: unknown) => {
        if (!cancelled) setError(asAppError(cause));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, executionId, generation]);

  const revert = useCallback(
    (id: string) => {
      setBusy(true);
      setError(null);
      client.agenticInterceptionRevert(id).then(
        () => {
          setBusy(false);
          setGeneration((g) => g + 1);
        },
        (cause: unknown) => {
          setBusy(false);
          setError(asAppError(cause));
        },
      );
    },
    [client],
  );

  if (interceptions.length === 0 && audit.length === 0 && error === null) return null;
  return (
    <section aria-label="AI audit">
      <h2>Monitor and AI audit</h2>
      {error !== null && (
        <p className="error" role="alert">
          {error.error}
        </p>
      )}
      {interceptions.length > 0 && (
        <table className="flow-table" aria-label="Monitor interceptions">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Failure</th>
              <th scope="col">Outcome</th>
              <th scope="col">Revisions</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {[...interceptions].reverse().map((item) => (
              <tr key={item.id} data-status={item.status}>
                <td>{item.nodeId}</td>
                <td>{item.error}</td>
                <td>
                  {STATUS_WORDS[item.status]}
                  {item.fixError != null && <span className="muted"> ({item.fixError})</span>}
                </td>
                <td>{item.revisionAfter != null ? `${String(item.revisionBefore ?? "?")} → ${String(item.revisionAfter)}` : "—"}</td>
                <td>
                  {item.status === "fixed" && (
                    <button type="button" disabled={busy} onClick={() => { revert(item.id); }}>
                      Revert fix
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {audit.length > 0 && (
        <table className="flow-table" aria-label="AI audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Kind</th>
              <th scope="col">Node</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {[...audit].reverse().map((record) => (
              <tr key={record.id}>
                <td>{new Date(record.at).toLocaleTimeString()}</td>
                <td>
                  <code>{record.kind}</code>
                </td>
                <td>{record.nodeId ?? "—"}</td>
                <td>{record.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
