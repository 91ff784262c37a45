import type { CatalogEntry, FlowGraph } from "@flow/bindings";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { emptyLog } from "../../runs/log-buffer";
import { isActive, takenEdges } from "../../runs/run-reducer";
import { RunLogPanel } from "../../runs/RunLogPanel";
import { runPath, statusLabel } from "../../runs/runs-logic";
import { useEditorRun } from "../../runs/use-editor-run";
import { ScheduleDialog } from "../../schedules/ScheduleDialog";
import { useSchedules } from "../../schedules/use-schedules";
import { errorText } from "../../ui/error-text";
import { Canvas } from "./Canvas";
import { Dialog } from "./Dialog";
import { EditorHeader } from "./EditorHeader";
import { EMPTY_SELECTION, type Selection } from "./graph-convert";
import { addNode, nextFreePosition, nodeFromEntry } from "./graph-ops";
import { GraphPropertiesDialog } from "./GraphPropertiesDialog";
import { canRedo, canUndo } from "./history";
import { HistoryPanel } from "./HistoryPanel";
import { Inspector } from "./Inspector";
import { IssuesPanel } from "./IssuesPanel";
import { layout } from "./layout";
import { issueCounts } from "./node-display";
import { Palette } from "./Palette";
import { Toolbar, type EditorMode } from "./Toolbar";
import { useDslSync } from "./use-dsl-sync";
import { useEditorShortcuts, useUnsavedWarning } from "./use-editor-shortcuts";
import { useFlowDocument, useInstalledNodes } from "./use-flow-document";
import { useValidation } from "./use-validation";

const NO_ISSUES: never[] = [];
const EMPTY_LOG = emptyLog();

// CodeMirror is only fetched when the DSL view is first opened.
const DslEditor = lazy(() => import("./DslEditor"));

/** The flow editor (canvas, DSL view, inspector, revisions) for one saved flow. */
export function FlowEditorPage() {
  const { slug = "" } = useParams();
  // Keyed by slug: opening another flow starts from a clean state.
  return <FlowEditor key={slug} slug={slug} />;
}

export default FlowEditorPage;

function FlowEditor({ slug }: { slug: string }) {
  const flow = useFlowDocument(slug);
  const { entries, loaded: entriesLoaded, error: entriesError } = useInstalledNodes();
  const graph = flow.history?.present ?? null;
  const validation = useValidation(graph);
  const issues = validation.report?.issues ?? NO_ISSUES;
  const counts = useMemo(() => issueCounts(issues), [issues]);

  const [mode, setMode] = useState<EditorMode>("canvas");
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [fitRequest, setFitRequest] = useState(0);
  const [focusRequest, setFocusRequest] = useState<{ nodeId: string; seq: number } | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [issuesOpen, setIssuesOpen] = useState(false);
  const [propertiesOpen, setPropertiesOpen] = useState(false);
  const [leaveDslAsked, setLeaveDslAsked] = useState(false);

  const { apply, save, undo, redo } = flow;
  const dsl = useDslSync(graph, mode === "dsl", apply);

  const run = useEditorRun(slug, graph);
  const { schedules, reload: reloadSchedules } = useSchedules();
  const schedule = schedules?.find((s) => s.slug === slug) ?? null;
  const [scheduleOpen, setScheduleOpen] = useState(false);
  const [logCollapsed, setLogCollapsed] = useState(false);
  const [logNode, setLogNode] = useState<string | null>(null);
  const [dismissedDone, setDismissedDone] = useState<string | null>(null);
  const [issuesFocus, setIssuesFocus] = useState(0);
  const issuesBox = useRef<HTMLDivElement | null>(null);
  const runView = run.state?.view ?? null;
  const canvasRun = useMemo(
    () => (runView === null || graph === null ? null : { nodes: runView.nodes, taken: takenEdges(graph, runView.nodes) }),
    [runView, graph],
  );

  useEffect(() => {
    if (issuesFocus > 0) issuesBox.current?.focus();
  }, [issuesFocus]);

  const { start } = run;
  const runNow = useCallback(() => {
    const launch = (toRun: FlowGraph) => {
      if (counts.errors > 0 && validation.report !== null) {
        setIssuesOpen(true);
        setIssuesFocus((n) => n + 1);
        return;
      }
      setLogNode(null);
      setLogCollapsed(false);
      start(toRun);
    };
    if (mode === "dsl" && dsl.pending) {
      void dsl.flush().then((result) => {
        if (result.ok && result.graph !== null) launch(result.graph);
      });
      return;
    }
    if (graph !== null) launch(graph);
  }, [counts.errors, validation.report, mode, dsl, graph, start]);
  useUnsavedWarning(flow.dirty || dsl.pending);

  const saveNow = useCallback(() => {
    if (mode === "dsl" && dsl.pending) {
      void dsl.flush().then((result) => {
        if (result.ok) save(result.graph ?? undefined);
      });
      return;
    }
    save();
  }, [mode, dsl, save]);

  useEditorShortcuts({ save: saveNow, undo, redo });

  const addEntry = useCallback(
    (entry: CatalogEntry, position: { x: number; y: number } | null) => {
      if (graph === null) return;
      const node = nodeFromEntry(graph, entry, position ?? nextFreePosition(graph));
      apply(addNode(graph, node));
      setSelection({ nodeIds: [node.id], edgeIndexes: [] });
      if (position === null) setFitRequest((n) => n + 1);
    },
    [graph, apply],
  );

  const switchMode = (next: EditorMode) => {
    if (next === mode) return;
    if (next === "dsl") {
      setMode("dsl");
      return;
    }
    void dsl.flush().then((result) => {
      if (result.ok) {
        setMode("canvas");
        setFitRequest((n) => n + 1);
      } else setLeaveDslAsked(true);
    });
  };

  const focusNode = (nodeId: string) => {
    setSelection({ nodeIds: [nodeId], edgeIndexes: [] });
    setMode("canvas");
    setFocusRequest((f) => ({ nodeId, seq: (f?.seq ?? 0) + 1 }));
  };

  if (flow.loadError !== null) {
    return (
      <main className="page flow-editor-page">
        <div className="card" role="alert">
          <h1>Cannot open “{slug}”</h1>
          <p>{flow.loadError.error}</p>
          <button type="button" onClick={flow.reload}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (flow.doc === null || graph === null || flow.history === null || !entriesLoaded) {
    return (
      <main className="page flow-editor-page" aria-busy="true">
        <p className="muted">Loading flow…</p>
      </main>
    );
  }
  const doc = flow.doc;
  const change = (next: FlowGraph, coalesceKey: string | null = null) => {
    apply(next, coalesceKey);
  };

  return (
    <main className="flow-editor-page">
      <EditorHeader
        graph={graph}
        revision={doc.revision}
        dirty={flow.dirty || dsl.pending}
        remoteRevision={flow.remoteRevision}
        saveError={flow.saveError}
        onProperties={() => {
          setPropertiesOpen(true);
        }}
        onReloadRemote={flow.reload}
        onDismissRemote={flow.dismissRemote}
        onDismissSaveError={flow.dismissSaveError}
      />
      <Toolbar
        mode={mode}
        onMode={switchMode}
        canUndo={canUndo(flow.history)}
        canRedo={canRedo(flow.history)}
        onUndo={undo}
        onRedo={redo}
        onLayout={() => {
          apply(layout(graph));
          setFitRequest((n) => n + 1);
        }}
        historyOpen={historyOpen}
        onToggleHistory={() => {
          setHistoryOpen((open) => !open);
        }}
        errors={counts.errors}
        warnings={counts.warnings}
        validationUnavailable={validation.report === null && validation.error !== null}
        issuesOpen={issuesOpen}
        onToggleIssues={() => {
          setIssuesOpen((open) => !open);
        }}
        canSave={flow.dirty || dsl.pending}
        saving={flow.saving}
        onSave={saveNow}
        run={{
          status: run.status,
          active: run.active,
          busy: run.busy,
          onRun: runNow,
          onPause: run.pause,
          onResume: run.resume,
          onStop: run.stop,
          onSchedule: () => {
            setScheduleOpen(true);
          },
          scheduled: schedule !== null,
        }}
      />
      {run.actionError !== null && (
        <div className="fe-notice" role="alert" data-kind="error">
          {run.executionId === null || run.starting ? "Could not start the run" : "Run control failed"}: {errorText(run.actionError)}{" "}
          <button type="button" className="link" onClick={run.dismissError}>
            Dismiss
          </button>
        </div>
      )}
      <div className="fe-body" data-mode={mode}>
        {mode === "canvas" ? (
          <>
            <Palette
              entries={entries}
              error={entriesError}
              onAdd={(entry) => {
                addEntry(entry, null);
              }}
            />
            <Canvas
              graph={graph}
              entries={entries}
              issues={issues}
              selection={selection}
              onChange={change}
              onSelectionChange={setSelection}
              onGestureEnd={flow.seal}
              onDropEntry={addEntry}
              fitRequest={fitRequest}
              focusRequest={focusRequest}
              run={canvasRun}
              onNodeClick={
                run.executionId === null
                  ? undefined
                  : (nodeId) => {
                      setLogNode(nodeId);
                    }
              }
            />
            <Inspector graph={graph} entries={entries} issues={issues} selection={selection} onChange={change} onSelect={setSelection} />
          </>
        ) : (
          <section className="fe-dsl" aria-label="DSL">
            {dsl.loading && <p className="muted">Loading DSL…</p>}
            <Suspense fallback={<p className="muted">Loading editor…</p>}>
              <DslEditor value={dsl.text} problem={dsl.problem} onChange={dsl.edit} />
            </Suspense>
            <div className="fe-dsl-status" role="status">
              {dsl.problem !== null ? (
                <span className="error">
                  {dsl.problem.line !== null ? `Line ${dsl.problem.line}, column ${dsl.problem.column ?? 1}: ` : ""}
                  {dsl.problem.message}
                </span>
              ) : (
                <span className="muted">{dsl.pending ? "Parsing…" : "In sync with the canvas."}</span>
              )}
            </div>
          </section>
        )}
        {historyOpen && (
          <HistoryPanel
            doc={doc}
            dirty={flow.dirty}
            onRestored={(restored) => {
              flow.adopt(restored);
              setSelection(EMPTY_SELECTION);
              setFitRequest((n) => n + 1);
            }}
            onClose={() => {
              setHistoryOpen(false);
            }}
          />
        )}
      </div>
      {issuesOpen && (
        <div ref={issuesBox} tabIndex={-1} className="fe-issues-wrap" role="region" aria-label="Issues">
          <IssuesPanel
            issues={validation.report?.issues ?? []}
            onFocusNode={focusNode}
            onFocusEdge={(index) => {
              setMode("canvas");
              setSelection({ nodeIds: [], edgeIndexes: [index] });
            }}
          />
        </div>
      )}
      {(run.executionId !== null || run.starting) && (
        <RunLogPanel
          log={run.state?.log ?? EMPTY_LOG}
          executionId={run.executionId}
          nodeFilter={logNode}
          onNodeFilter={setLogNode}
          collapsed={logCollapsed}
          onToggleCollapsed={() => {
            setLogCollapsed((c) => !c);
          }}
          notice={
            runView?.status != null && !isActive(runView.status) && dismissedDone !== runView.executionId ? (
              <span className="run-done-notice" role="status" data-status={runView.status}>
                Run {statusLabel(runView.status)}. <Link to={runPath(runView.executionId)}>Open the run in Runs</Link>{" "}
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setDismissedDone(runView.executionId);
                  }}
                >
                  Dismiss
                </button>
              </span>
            ) : null
          }
        />
      )}
      {runView?.awaiting != null && (
        <Dialog
          title="Approve a destructive step?"
          onClose={() => undefined}
          actions={
            <>
              <button
                type="button"
                className="danger"
                disabled={run.busy}
                onClick={() => {
                  if (runView.awaiting !== null) run.confirm(runView.awaiting.nodeId, true);
                }}
              >
                Approve
              </button>
              <button
                type="button"
                className="primary"
                disabled={run.busy}
                onClick={() => {
                  if (runView.awaiting !== null) run.confirm(runView.awaiting.nodeId, false);
                }}
              >
                Deny
              </button>
            </>
          }
        >
          <p>
            The run is waiting before node <strong>{runView.awaiting.nodeId}</strong>, which would:
          </p>
          <pre className="run-confirm-action">{runView.awaiting.action}</pre>
          <p className="muted">Approve runs it; Deny fails the node (its fail path, if any, runs instead).</p>
        </Dialog>
      )}
      {scheduleOpen && (
        <ScheduleDialog
          slug={slug}
          flowName={graph.name}
          existing={schedule}
          onChanged={reloadSchedules}
          onClose={() => {
            setScheduleOpen(false);
          }}
        />
      )}
      {flow.conflict !== null && (
        <Dialog
          title="Saved elsewhere"
          onClose={flow.dismissConflict}
          actions={
            <>
              <button type="button" onClick={flow.reload}>
                Reload theirs
              </button>
              <button type="button" className="primary" onClick={flow.overwrite}>
                Overwrite with mine
              </button>
            </>
          }
        >
          <p>
            This flow was saved elsewhere
            {flow.conflict.theirRevision !== null ? ` (revision ${flow.conflict.theirRevision})` : ""}. Reload theirs, or overwrite it with your
            version?
          </p>
        </Dialog>
      )}
      {propertiesOpen && (
        <GraphPropertiesDialog
          graph={graph}
          onApply={(next) => {
            apply(next);
          }}
          onClose={() => {
            setPropertiesOpen(false);
          }}
        />
      )}
      {leaveDslAsked && (
        <Dialog
          title="The DSL does not parse"
          onClose={() => {
            setLeaveDslAsked(false);
          }}
          actions={
            <>
              <button
                type="button"
                className="primary"
                onClick={() => {
                  setLeaveDslAsked(false);
                }}
              >
                Fix it
              </button>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setLeaveDslAsked(false);
                  dsl.discard();
                  setMode("canvas");
                }}
              >
                Discard DSL changes
              </button>
            </>
          }
        >
          <p>{dsl.problem?.message ?? "The text has an error."} Fix it, or discard the text edits since the last successful parse?</p>
        </Dialog>
      )}
    </main>
  );
}
