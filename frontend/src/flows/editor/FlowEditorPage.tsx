import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useParams } from "react-router";
import { ScheduleDialog } from "../../schedules/ScheduleDialog";
import { generatorNodeId, isMonitored } from "../agentic/agentic-logic";
import { BudgetMeters } from "../agentic/BudgetMeters";
import { InterceptionDialog } from "../agentic/InterceptionDialog";
import { openInterception } from "../agentic/interception-logic";
import { ReviewDialog } from "../agentic/ReviewDialog";
import { useAgenticReview } from "../agentic/use-agentic-review";
import { useRunAgentic } from "../agentic/use-run-agentic";
import { ApproveStepDialog } from "./ApproveStepDialog";
import { CanvasView } from "./CanvasView";
import { ConflictDialog } from "./ConflictDialog";
import { DslView } from "./DslView";
import { EditorHeader } from "./EditorHeader";
import { EditorPlaceholder } from "./EditorPlaceholder";
import { EditorRunLog } from "./EditorRunLog";
import { EMPTY_SELECTION } from "./graph-convert";
import { GraphPropertiesDialog } from "./GraphPropertiesDialog";
import { canRedo, canUndo } from "./history";
import { HistoryPanel } from "./HistoryPanel";
import { IssuesRegion } from "./IssuesRegion";
import { layout } from "./layout";
import { LeaveDslDialog } from "./LeaveDslDialog";
import { issueCounts } from "./node-display";
import { RunErrorNotice } from "./RunErrorNotice";
import { Toolbar } from "./Toolbar";
import { useEditorShortcuts } from "./use-editor-shortcuts";
import { useEditorView } from "./use-editor-view";
import { useFlowDocument, useInstalledNodes } from "./use-flow-document";
import { useFlowSchedule } from "./use-flow-schedule";
import { useIssuesPanel } from "./use-issues-panel";
import { useRunPanel } from "./use-run-panel";
import { useSaveNow } from "./use-save-now";
import { useUnsavedWarning } from "./use-unsaved-warning";
import { useValidation } from "./use-validation";

const NO_ISSUES: never[] = [];

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
  const { apply, save, undo, redo } = flow;

  const view = useEditorView(graph, apply);
  const { mode, dsl } = view;
  const issuesPanel = useIssuesPanel();
  const [historyOpen, setHistoryOpen] = useState(false);
  const [propertiesOpen, setPropertiesOpen] = useState(false);
  const { run, canvasRun, runNow, log } = useRunPanel({
    slug,
    graph,
    mode,
    dsl,
    blocked: counts.errors > 0 && validation.report !== null,
    onBlocked: issuesPanel.reveal,
  });
  const schedule = useFlowSchedule(slug);
  const saveNow = useSaveNow(mode, dsl, save);
  useUnsavedWarning(flow.dirty || dsl.pending);
  useEditorShortcuts({ save: saveNow, undo, redo });

  // A flow with an agentic node in generator mode runs by generating: the model proposes the
  // flow, and the review decides. It generates for the saved flow, so unsaved edits are saved first.
  const { adopt } = flow;
  const review = useAgenticReview(slug, adopt);
  const agenticNode = graph === null ? null : generatorNodeId(graph);
  // The node to generate for once the save it waits on has landed (a failed save drops it).
  const generateAfterSave = useRef<string | null>(null);
  const unsaved = flow.dirty || dsl.pending || flow.saving;
  const { generate } = review;
  useEffect(() => {
    if (flow.saveError !== null || flow.conflict !== null) generateAfterSave.current = null;
    const nodeId = generateAfterSave.current;
    if (nodeId === null || unsaved) return;
    generateAfterSave.current = null;
    generate(nodeId);
  }, [unsaved, flow.saveError, flow.conflict, generate]);
  // A monitored flow's run may be intercepted: the monitor plans a fix for a failed step, and
  // a person (or, run autonomously, the budgets) decides.
  const monitored = graph !== null && isMonitored(graph);
  const agenticRun = useRunAgentic(run.executionId, adopt);
  const [autonomous, setAutonomous] = useState(false);
  const runAutonomously = useCallback(() => {
    setAutonomous(true);
    runNow(true);
  }, [runNow]);
  const runOrGenerate = useCallback(() => {
    if (agenticNode === null) {
      setAutonomous(false);
      runNow();
      return;
    }
    if (unsaved) {
      generateAfterSave.current = agenticNode;
      saveNow();
      return;
    }
    generate(agenticNode);
  }, [agenticNode, runNow, unsaved, saveNow, generate]);

  if (flow.loadError !== null || flow.doc === null || graph === null || flow.history === null || !entriesLoaded) {
    return <EditorPlaceholder slug={slug} loadError={flow.loadError} onRetry={flow.reload} />;
  }
  const doc = flow.doc;
  const runView = run.state?.view ?? null;
  const interception = agenticRun.state === null ? null : openInterception(agenticRun.state);

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
        onMode={view.switchMode}
        canUndo={canUndo(flow.history)}
        canRedo={canRedo(flow.history)}
        onUndo={undo}
        onRedo={redo}
        onLayout={() => {
          apply(layout(graph));
          view.requestFit();
        }}
        historyOpen={historyOpen}
        onToggleHistory={() => {
          setHistoryOpen((open) => !open);
        }}
        errors={counts.errors}
        warnings={counts.warnings}
        validationUnavailable={validation.report === null && validation.error !== null}
        issuesOpen={issuesPanel.open}
        onToggleIssues={issuesPanel.toggle}
        canSave={flow.dirty || dsl.pending}
        saving={flow.saving}
        onSave={saveNow}
        run={{
          status: run.status,
          active: run.active,
          busy: run.busy,
          onRun: runOrGenerate,
          onRunAutonomously: monitored && agenticNode === null ? runAutonomously : null,
          onPause: run.pause,
          onResume: run.resume,
          onStop: run.stop,
          onSchedule: schedule.openDialog,
          scheduled: schedule.schedule !== null,
        }}
      />
      {autonomous && agenticRun.state !== null && <BudgetMeters state={agenticRun.state} />}
      {review.pending !== null && (
        <div className="fe-notice" role="status" aria-label="Generated flow waiting">
          A generated flow ({(review.pending.generated.nodes ?? []).length} step(s) for “{review.pending.request}”) is waiting for your review.{" "}
          <button type="button" onClick={review.reopen}>
            Review it
          </button>
        </div>
      )}
      {run.actionError !== null && (
        <RunErrorNotice error={run.actionError} startFailed={run.executionId === null || run.starting} onDismiss={run.dismissError} />
      )}
      <div className="fe-body" data-mode={mode}>
        {mode === "canvas" ? (
          <CanvasView
            graph={graph}
            entries={entries}
            entriesError={entriesError}
            issues={issues}
            selection={view.selection}
            onSelectionChange={view.setSelection}
            onChange={apply}
            onGestureEnd={flow.seal}
            fitRequest={view.fitRequest}
            onRequestFit={view.requestFit}
            focusRequest={view.focusRequest}
            run={canvasRun}
            onNodeClick={run.executionId === null ? undefined : log.setNodeFilter}
          />
        ) : (
          <DslView dsl={dsl} />
        )}
        {historyOpen && (
          <HistoryPanel
            doc={doc}
            dirty={flow.dirty}
            onRestored={(restored) => {
              flow.adopt(restored);
              view.setSelection(EMPTY_SELECTION);
              view.requestFit();
            }}
            onClose={() => {
              setHistoryOpen(false);
            }}
          />
        )}
      </div>
      {issuesPanel.open && (
        <IssuesRegion
          regionRef={issuesPanel.regionRef}
          issues={validation.report?.issues ?? []}
          onFocusNode={view.focusNode}
          onFocusEdge={view.focusEdge}
        />
      )}
      {(run.executionId !== null || run.starting) && <EditorRunLog run={run} log={log} />}
      {interception !== null && !interception.interception.autonomous && (
        <InterceptionDialog
          interception={interception.interception}
          proposal={interception.proposal}
          text={agenticRun.state?.text ?? ""}
          busy={agenticRun.busy}
          error={agenticRun.error}
          onDecide={(decision) => {
            agenticRun.decide(interception.interception.id, decision);
          }}
        />
      )}
      {runView?.awaiting != null && <ApproveStepDialog awaiting={runView.awaiting} busy={run.busy} onAnswer={run.confirm} />}
      {schedule.dialogOpen && (
        <ScheduleDialog slug={slug} flowName={graph.name} existing={schedule.schedule} onChanged={schedule.reload} onClose={schedule.closeDialog} />
      )}
      {flow.conflict !== null && (
        <ConflictDialog conflict={flow.conflict} onReload={flow.reload} onOverwrite={flow.overwrite} onClose={flow.dismissConflict} />
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
      {review.state !== null && (
        <ReviewDialog
          state={review.state}
          entries={entries}
          actionError={review.actionError}
          onAccept={review.accept}
          onReject={review.reject}
          onClose={review.close}
        />
      )}
      {view.leaveDslAsked && <LeaveDslDialog problem={dsl.problem?.message ?? null} onStay={view.stayInDsl} onDiscard={view.discardDsl} />}
    </main>
  );
}
