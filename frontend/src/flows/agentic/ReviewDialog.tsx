import type { AppError, CatalogEntry, Proposal } from "@flow/bindings";
import { useState } from "react";
import { Canvas } from "../editor/Canvas";
import { EMPTY_SELECTION } from "../editor/graph-convert";
import { layout } from "../editor/layout";
import { diffCounts, type ReviewState } from "./agentic-logic";
import { ChecksSection, DiffLines } from "./ProposalParts";

const NOOP = () => undefined;

type Tab = "canvas" | "dsl" | "diff";

/**
 * The agentic review: the answer streaming in while the model writes, then the proposed flow as
 * a canvas, its DSL and its diff, with the Checks per node. Nothing changes until Accept.
 */
export function ReviewDialog({
  state,
  entries,
  actionError,
  onAccept,
  onReject,
  onClose,
}: {
  state: ReviewState;
  entries: readonly CatalogEntry[];
  actionError: AppError | null;
  onAccept: () => void;
  onReject: () => void;
  onClose: () => void;
}) {
  const [tab, setTab] = useState<Tab>("canvas");
  const proposal = state.proposal;
  return (
    <div className="fe-backdrop">
      <div className="fe-dialog card agentic-review" role="dialog" aria-modal="true" aria-label="Review the generated flow">
        <h2>{proposal === null ? "Generating a flow" : "Review the generated flow"}</h2>
        <div className="fe-dialog-body">
          {state.phase === "generating" && <Generating state={state} />}
          {state.phase === "failed" && (
            <p className="error" role="alert">
              The model could not propose a flow: {state.error}
            </p>
          )}
          {proposal !== null && (state.phase === "review" || state.phase === "applying") && (
            <ProposalView proposal={proposal} entries={entries} tab={tab} onTab={setTab} />
          )}
          {actionError !== null && (
            <p className="error" role="alert">
              {actionError.error}
            </p>
          )}
        </div>
        <div className="fe-dialog-actions">
          {proposal !== null && state.phase !== "failed" ? (
            <>
              <button type="button" onClick={onClose} disabled={state.phase === "applying"} title="Close; the proposal stays pending and the editor offers it again">
                Later
              </button>
              <button type="button" onClick={onReject} disabled={state.phase === "applying"}>
                Reject
              </button>
              <button type="button" className="primary" onClick={onAccept} disabled={state.phase === "applying"}>
                Accept and apply
              </button>
            </>
          ) : (
            <button type="button" onClick={onClose}>
              {state.phase === "generating" ? "Hide" : "Close"}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function Generating({ state }: { state: ReviewState }) {
  return (
    <div className="agentic-generating">
      <p className="muted" aria-live="polite">
        {state.model === null ? "Asking the local model…" : `${state.model} is writing (at most ${String(state.maxTokens ?? 0)} tokens)…`}
      </p>
      <pre className="agentic-stream" aria-label="Generated text">
        {state.text}
      </pre>
    </div>
  );
}

function ProposalView({
  proposal,
  entries,
  tab,
  onTab,
}: {
  proposal: Proposal;
  entries: readonly CatalogEntry[];
  tab: Tab;
  onTab: (tab: Tab) => void;
}) {
  const counts = diffCounts(proposal);
  return (
    <>
      <p className="agentic-summary">
        <span>
          {(proposal.generated.nodes ?? []).length} step(s) for “{proposal.request}”, grounded in <code>{proposal.workspace.root}</code>
        </span>
        <span className="muted">
          {" "}
          · {proposal.model} · {proposal.completionTokens} tokens in {((proposal.durationMs ?? 0) / 1000).toFixed(1)} s
          {proposal.sanitized > 0 && ` · ${String(proposal.sanitized)} private value(s) hidden from the model`}
        </span>
      </p>
      <div className="agentic-tabs" role="tablist" aria-label="Proposal views">
        {(
          [
            ["canvas", "Canvas"],
            ["dsl", "DSL"],
            ["diff", `Diff (+${String(counts.added)} −${String(counts.removed)})`],
          ] as const
        ).map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => { onTab(id); }}>
            {label}
          </button>
        ))}
      </div>
      {tab === "canvas" && (
        <div className="agentic-canvas" aria-label="Proposed flow">
          <Canvas
            graph={layout(proposal.graph)}
            entries={entries}
            issues={proposal.checks}
            selection={EMPTY_SELECTION}
            onChange={NOOP}
            onSelectionChange={NOOP}
            onGestureEnd={NOOP}
            onDropEntry={NOOP}
            fitRequest={1}
            focusRequest={null}
          />
        </div>
      )}
      {tab === "dsl" && (
        <pre className="agentic-dsl" aria-label="Proposed DSL">
          {proposal.dsl}
        </pre>
      )}
      {tab === "diff" && <DiffLines proposal={proposal} label="Changes to the flow" />}
      <ChecksSection checks={proposal.checks} clean="No findings: the flow can run as proposed." />
    </>
  );
}
