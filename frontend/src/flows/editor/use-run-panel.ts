import type { FlowGraph } from "@flow/bindings";
import { useCallback, useMemo, useState } from "react";
import { takenEdges } from "../../runs/run-reducer";
import { useEditorRun, type EditorRun } from "../../runs/use-editor-run";
import type { CanvasRun } from "./graph-convert";
import type { EditorMode } from "./Toolbar";
import type { DslSync } from "./use-dsl-sync";

/** What the run log below the editor shows and how it was last set. */
export interface RunLogView {
  /** Only this node's lines; null: all. */
  nodeFilter: string | null;
  setNodeFilter: (nodeId: string | null) => void;
  collapsed: boolean;
  toggleCollapsed: () => void;
  /** The run whose end notice was dismissed. */
  dismissedDone: string | null;
  dismissDone: (executionId: string) => void;
}

/** What `useRunPanel` gives the editor. */
export interface RunPanel {
  run: EditorRun;
  /** The run shown on the canvas (node status rings, taken edges); null before any run. */
  canvasRun: CanvasRun | null;
  /**
   * Starts the graph on screen, pending DSL text applied first; with errors, `onBlocked` instead.
   * `autonomous`: the flow's monitor applies its fixes itself, within the budgets.
   */
  runNow: (autonomous?: boolean) => void;
  log: RunLogView;
}

/**
 * Wires the editor's run: starting the graph on screen (unsaved edits included), its status on
 * the canvas, and the run log's filter and collapsed state.
 */
export function useRunPanel({
  slug,
  graph,
  mode,
  dsl,
  blocked,
  onBlocked,
}: {
  slug: string;
  graph: FlowGraph | null;
  mode: EditorMode;
  dsl: DslSync;
  /** The graph has validation errors: a run is refused. */
  blocked: boolean;
  /** Shows why a run was refused. */
  onBlocked: () => void;
}): RunPanel {
  const run = useEditorRun(slug, graph);
  const [collapsed, setCollapsed] = useState(false);
  const [nodeFilter, setNodeFilter] = useState<string | null>(null);
  const [dismissedDone, setDismissedDone] = useState<string | null>(null);
  const runView = run.state?.view ?? null;
  const canvasRun = useMemo(
    () => (runView === null || graph === null ? null : { nodes: runView.nodes, taken: takenEdges(graph, runView.nodes) }),
    [runView, graph],
  );

  const { start } = run;
  const runNow = useCallback((autonomous = false) => {
    const launch = (toRun: FlowGraph) => {
      if (blocked) {
        onBlocked();
        return;
      }
      setNodeFilter(null);
      setCollapsed(false);
      start(toRun, autonomous);
    };
    if (mode === "dsl" && dsl.pending) {
      void dsl.flush().then((result) => {
        if (result.ok && result.graph !== null) launch(result.graph);
      });
      return;
    }
    if (graph !== null) launch(graph);
  }, [blocked, onBlocked, mode, dsl, graph, start]);

  return {
    run,
    canvasRun,
    runNow,
    log: {
      nodeFilter,
      setNodeFilter,
      collapsed,
      toggleCollapsed: () => {
        setCollapsed((c) => !c);
      },
      dismissedDone,
      dismissDone: setDismissedDone,
    },
  };
}
