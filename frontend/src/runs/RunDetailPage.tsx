import type { AppError, RunDetail, RunStep } from "@flow/bindings";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { formatRelative } from "../flows/list/flows-logic";
import { RunAgenticSection } from "../flows/agentic/RunAgenticSection";
import { asAppError, useHost } from "../host";
import { errorText } from "../ui/error-text";
import { useNow } from "../ui/use-debounced-value";
import { isActive } from "./run-reducer";
import { RunStatusBadge } from "./RunStatusBadge";
import { formatDuration, prettyJson, runDuration, runPath, triggerLabel, truncationNote } from "./runs-logic";
import { useRunDetail, useStepLogs } from "./use-run-detail";

/** `/runs/:executionId`: summary, steps, a step's output and logs, interceptions, re-run. */
export function RunDetailPage({ executionId }: { executionId: string }) {
  const { client } = useHost();
  const navigate = useNavigate();
  const { detail, error, reload } = useRunDetail(executionId);
  const [selected, setSelected] = useState<{ nodeId: string; iteration: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<AppError | null>(null);
  const now = useNow(5_000);

  const act = (call: () => Promise<unknown>, after?: (result: unknown) => void) => {
    setBusy(true);
    setActionError(null);
    call().then(
      (result) => {
        setBusy(false);
        after?.(result);
        reload();
      },
      (cause: unknown) => {
        setBusy(false);
        setActionError(asAppError(cause));
      },
    );
  };

  const rerun = (fromNode: string | null) => {
    setBusy(true);
    setActionError(null);
    client.runRerun(executionId, fromNode).then(
      (started) => {
        setBusy(false);
        void navigate(runPath(started.executionId));
      },
      (cause: unknown) => {
        setBusy(false);
        setActionError(asAppError(cause));
      },
    );
  };

  if (detail === null) {
    return (
      <div className="page run-detail">
        <p>
          <Link to="/runs">← All runs</Link>
        </p>
        {error !== null ? (
          <div className="card" role="alert">
            <h1>Cannot open this run</h1>
            <p>{errorText(error)}</p>
            <button type="button" onClick={reload}>
              Try again
            </button>
          </div>
        ) : (
          <p className="muted" aria-busy="true">
            Loading the run…
          </p>
        )}
      </div>
    );
  }

  const { run } = detail;
  const live = isActive(run.status);
  const waiting = detail.interceptions.find((i) => i.resolvedAt === undefined || i.resolvedAt === null);
  const step = selected === null ? null : (detail.steps.find((s) => s.nodeId === selected.nodeId && s.iteration === selected.iteration) ?? null);

  return (
    <div className="page run-detail">
      <p>
        <Link to="/runs">← All runs</Link>
      </p>
      <header className="run-detail-head">
        <h1>{run.flowName}</h1>
        <RunStatusBadge status={run.status} />
        <span className="header-spacer" />
        {live && (
          <>
            {run.status === "paused" ? (
              <button type="button" disabled={busy} onClick={() => { act(() => client.runResume(executionId)); }}>
                Resume
              </button>
            ) : (
              <button type="button" disabled={busy || run.status !== "running"} onClick={() => { act(() => client.runPause(executionId)); }}>
                Pause
              </button>
            )}
            <button type="button" disabled={busy} onClick={() => { act(() => client.runCancel(executionId)); }}>
              Stop
            </button>
          </>
        )}
        <button type="button" className="primary" disabled={busy} onClick={() => { rerun(null); }}>
          Re-run
        </button>
      </header>
      {actionError !== null && (
        <p className="error" role="alert">
          {errorText(actionError)}
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert">
          Could not refresh: {errorText(error)}
        </p>
      )}
      {live && run.status === "awaiting_confirmation" && waiting !== undefined && (
        <div className="fe-notice" role="alert">
          Waiting for approval of <strong>{waiting.nodeId}</strong>: <code>{waiting.action}</code>{" "}
          <button type="button" className="danger" disabled={busy} onClick={() => { act(() => client.runConfirm(executionId, waiting.nodeId, true)); }}>
            Approve
          </button>{" "}
          <button type="button" disabled={busy} onClick={() => { act(() => client.runConfirm(executionId, waiting.nodeId, false)); }}>
            Deny
          </button>
        </div>
      )}

      <dl className="run-summary card">
        <div>
          <dt>Flow</dt>
          <dd>{run.flowSlug !== undefined && run.flowSlug !== null ? <Link to={`/flows/${encodeURIComponent(run.flowSlug)}`}>{run.flowSlug}</Link> : <span className="muted">unsaved graph</span>}</dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd>{triggerLabel(run.trigger)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <time dateTime={run.startedAt} title={new Date(run.startedAt).toLocaleString()}>
              {formatRelative(run.startedAt, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(runDuration(run, now))}{live ? " so far" : ""}</dd>
        </div>
        <div>
          <dt>Nodes</dt>
          <dd>
            {run.succeeded} succeeded, {run.failed} failed, {run.skipped} skipped
          </dd>
        </div>
        <div>
          <dt>Run id</dt>
          <dd>
            <code>{run.executionId}</code>
          </dd>
        </div>
        {run.error !== undefined && run.error !== null && run.error !== "" && (
          <div className="run-summary-error">
            <dt>Error</dt>
            <dd className="error">{run.error}</dd>
          </div>
        )}
      </dl>

      <div className="run-detail-body">
        <section aria-label="Steps">
          <h2>Steps</h2>
          <StepsTable
            detail={detail}
            selected={selected}
            busy={busy}
            onSelect={setSelected}
            onRerunFrom={(nodeId) => {
              rerun(nodeId);
            }}
          />
        </section>
        {step !== null && <StepPanel key={`${step.nodeId}#${step.iteration}`} executionId={executionId} step={step} />}
      </div>

      {detail.interceptions.length > 0 && (
        <section aria-label="Interceptions">
          <h2>Destructive-step prompts</h2>
          <table className="flow-table">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Action</th>
                <th scope="col">Asked</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {detail.interceptions.map((item, i) => (
                <tr key={i}>
                  <td>{item.nodeId}</td>
                  <td>
                    <code>{item.action}</code>
                  </td>
                  <td>{formatRelative(item.requestedAt, now)}</td>
                  <td>{item.approved === true ? "Approved" : item.approved === false ? "Denied" : item.resolvedAt !== undefined && item.resolvedAt !== null ? "—" : "Waiting"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <RunAgenticSection key={detail.run.status} executionId={executionId} />
    </div>
  );
}

function StepsTable({
  detail,
  selected,
  busy,
  onSelect,
  onRerunFrom,
}: {
  detail: RunDetail;
  selected: { nodeId: string; iteration: number } | null;
  busy: boolean;
  onSelect: (step: { nodeId: string; iteration: number }) => void;
  onRerunFrom: (nodeId: string) => void;
}) {
  if (detail.steps.length === 0) return <p className="muted">No steps yet.</p>;
  const labels = new Map((detail.graph.nodes ?? []).map((node) => [node.id, node.label ?? ""]));
  return (
    <div className="flow-table-wrap">
      <table className="flow-table run-steps" aria-label="Steps">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Iteration</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Error / reason</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {detail.steps.map((step) => {
            const isSelected = selected !== null && selected.nodeId === step.nodeId && selected.iteration === step.iteration;
            const label = labels.get(step.nodeId) ?? "";
            return (
              <tr key={`${step.nodeId}#${step.iteration}`} aria-selected={isSelected} data-selected={isSelected ? "true" : undefined}>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={isSelected}
                    onClick={() => {
                      onSelect({ nodeId: step.nodeId, iteration: step.iteration });
                    }}
                  >
                    {step.nodeId}
                  </button>
                  {label !== "" && label !== step.nodeId && <span className="muted"> {label}</span>}
                </td>
                <td>{step.iteration + 1}</td>
                <td>
                  <RunStatusBadge status={step.status} />
                </td>
                <td>{formatDuration(step.durationMs)}</td>
                <td className={step.error !== undefined && step.error !== null ? "error" : "muted"}>{step.error ?? step.reason ?? ""}</td>
                <td>
                  <button
                    type="button"
                    className="quiet"
                    disabled={busy}
                    title="Re-run from here, reusing the outputs of the nodes before it"
                    onClick={() => {
                      onRerunFrom(step.nodeId);
                    }}
                  >
                    Re-run from here
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function StepPanel({ executionId, step }: { executionId: string; step: RunStep }) {
  const logs = useStepLogs(executionId, step.nodeId);
  const output = prettyJson(step.output);
  const truncated = truncationNote(step.output);
  return (
    <section className="run-step-panel card" aria-label={`Step ${step.nodeId}`}>
      <h2>
        {step.nodeId} {step.iteration > 0 && <span className="muted">iteration {step.iteration + 1}</span>}
      </h2>
      <h3>Output</h3>
      {output === "" ? <p className="muted">No output.</p> : <pre className="run-output">{output}</pre>}
      {truncated !== null && <p className="muted run-output-truncated">{truncated}</p>}
      <h3>Logs</h3>
      {logs.error !== null && (
        <p className="error" role="alert">
          {errorText(logs.error)}
        </p>
      )}
      <div className="run-log run-step-log" role="log" aria-label={`Logs of ${step.nodeId}`} tabIndex={0}>
        {logs.log.lines.length === 0 ? (
          <p className="muted run-log-empty">{logs.loading ? "Loading…" : "No lines."}</p>
        ) : (
          logs.log.lines.map((line) => (
            <div key={line.seq} className="run-log-line" data-kind={line.kind} data-tone={line.tone}>
              <span className="run-log-text">{line.text}</span>
            </div>
          ))
        )}
      </div>
      {logs.hasMore && (
        <button type="button" onClick={logs.loadMore} disabled={logs.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
