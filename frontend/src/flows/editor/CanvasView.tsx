import type { AppError, CatalogEntry, FlowGraph, ValidationIssue } from "@flow/bindings";
import { useCallback, type Dispatch, type SetStateAction } from "react";
import { Canvas } from "./Canvas";
import type { CanvasRun, Selection } from "./graph-convert";
import { addNode, nextFreePosition, nodeFromEntry } from "./graph-ops";
import { Inspector } from "./Inspector";
import { Palette } from "./Palette";
import type { FocusRequest } from "./use-editor-view";

export interface CanvasViewProps {
  graph: FlowGraph;
  entries: readonly CatalogEntry[];
  entriesError: AppError | null;
  issues: readonly ValidationIssue[];
  selection: Selection;
  onSelectionChange: Dispatch<SetStateAction<Selection>>;
  /** Applies an edit as one undo step (edits with the same `coalesceKey` merge). */
  onChange: (graph: FlowGraph, coalesceKey?: string | null) => void;
  onGestureEnd: () => void;
  fitRequest: number;
  /** Asks for a fit-to-view (after adding a node from the palette). */
  onRequestFit: () => void;
  focusRequest: FocusRequest | null;
  run: CanvasRun | null;
  onNodeClick: ((nodeId: string) => void) | undefined;
}

/** The canvas view: the palette, the graph, and the inspector for what is selected. */
export function CanvasView(props: CanvasViewProps) {
  const { graph, entries, entriesError, issues, selection, onSelectionChange, onChange, onRequestFit } = props;

  // A palette click places the node at the next free spot and fits it into view; a drop places it where it fell.
  const addEntry = useCallback(
    (entry: CatalogEntry, position: { x: number; y: number } | null) => {
      const node = nodeFromEntry(graph, entry, position ?? nextFreePosition(graph));
      onChange(addNode(graph, node));
      onSelectionChange({ nodeIds: [node.id], edgeIndexes: [] });
      if (position === null) onRequestFit();
    },
    [graph, onChange, onSelectionChange, onRequestFit],
  );

  return (
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
        onChange={onChange}
        onSelectionChange={onSelectionChange}
        onGestureEnd={props.onGestureEnd}
        onDropEntry={addEntry}
        fitRequest={props.fitRequest}
        focusRequest={props.focusRequest}
        run={props.run}
        onNodeClick={props.onNodeClick}
      />
      <Inspector graph={graph} entries={entries} issues={issues} selection={selection} onChange={onChange} onSelect={onSelectionChange} />
    </>
  );
}
