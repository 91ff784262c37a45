import type { FlowGraph } from "@flow/bindings";
import { useState, type Dispatch, type SetStateAction } from "react";
import { EMPTY_SELECTION, type Selection } from "./graph-convert";
import type { EditorMode } from "./Toolbar";
import { useDslSync, type DslSync } from "./use-dsl-sync";

/** A request to centre the canvas on a node; `seq` makes a repeated request for the same node count. */
export interface FocusRequest {
  nodeId: string;
  seq: number;
}

/** What `useEditorView` gives the editor. */
export interface EditorView {
  mode: EditorMode;
  /** The DSL text kept in step with the graph while the DSL view is shown. */
  dsl: DslSync;
  selection: Selection;
  setSelection: Dispatch<SetStateAction<Selection>>;
  /** Bumped to ask the canvas to fit the graph into view. */
  fitRequest: number;
  requestFit: () => void;
  focusRequest: FocusRequest | null;
  /** Selects a node and centres the canvas on it, switching to the canvas. */
  focusNode: (nodeId: string) => void;
  /** Selects an edge, switching to the canvas. */
  focusEdge: (index: number) => void;
  /** Leaving the DSL view applies its text first; when it does not parse, `leaveDslAsked` asks what to do. */
  switchMode: (next: EditorMode) => void;
  leaveDslAsked: boolean;
  /** Answers the question by staying in the DSL view to fix the text. */
  stayInDsl: () => void;
  /** Answers the question by dropping the unparsed text and showing the canvas. */
  discardDsl: () => void;
}

/** Which view the editor shows (canvas or DSL), what is selected, and where the canvas looks. */
export function useEditorView(graph: FlowGraph | null, apply: (graph: FlowGraph) => void): EditorView {
  const [mode, setMode] = useState<EditorMode>("canvas");
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [fitRequest, setFitRequest] = useState(0);
  const [focusRequest, setFocusRequest] = useState<FocusRequest | null>(null);
  const [leaveDslAsked, setLeaveDslAsked] = useState(false);
  const dsl = useDslSync(graph, mode === "dsl", apply);

  const requestFit = () => {
    setFitRequest((n) => n + 1);
  };

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

  const focusEdge = (index: number) => {
    setMode("canvas");
    setSelection({ nodeIds: [], edgeIndexes: [index] });
  };

  return {
    mode,
    dsl,
    selection,
    setSelection,
    fitRequest,
    requestFit,
    focusRequest,
    focusNode,
    focusEdge,
    switchMode,
    leaveDslAsked,
    stayInDsl: () => {
      setLeaveDslAsked(false);
    },
    discardDsl: () => {
      setLeaveDslAsked(false);
      dsl.discard();
      setMode("canvas");
    },
  };
}
