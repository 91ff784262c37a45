import type { CatalogEntry, FlowGraph, ValidationIssue } from "@flow/bindings";
import { EdgeInspector } from "./EdgeInspector";
import type { Selection } from "./graph-convert";
import { edgesOf, matchEntry, nodesOf } from "./graph-ops";
import { NodeInspector } from "./NodeInspector";

export interface InspectorProps {
  graph: FlowGraph;
  entries: readonly CatalogEntry[];
  issues: readonly ValidationIssue[];
  selection: Selection;
  onChange: (graph: FlowGraph, coalesceKey?: string | null) => void;
  onSelect: (selection: Selection) => void;
}

/** Right-hand panel: the form for the one selected node or edge. */
export function Inspector({ graph, entries, issues, selection, onChange, onSelect }: InspectorProps) {
  const count = selection.nodeIds.length + selection.edgeIndexes.length;
  const nodeId = count === 1 ? selection.nodeIds[0] : undefined;
  const edgeIndex = count === 1 ? selection.edgeIndexes[0] : undefined;
  const node = nodeId === undefined ? undefined : nodesOf(graph).find((n) => n.id === nodeId);
  const edge = edgeIndex === undefined ? undefined : edgesOf(graph)[edgeIndex];
  let body;
  if (node !== undefined) {
    body = (
      <NodeInspector
        key={node.id}
        graph={graph}
        node={node}
        entry={matchEntry(node, entries)}
        issues={issues.filter((i) => i.nodeId === node.id && (i.edgeIndex === undefined || i.edgeIndex === null))}
        onChange={onChange}
        onRenamed={(id) => {
          onSelect({ nodeIds: [id], edgeIndexes: [] });
        }}
      />
    );
  } else if (edge !== undefined && edgeIndex !== undefined) {
    body = <EdgeInspector key={edgeIndex} graph={graph} edge={edge} index={edgeIndex} issues={issues.filter((i) => i.edgeIndex === edgeIndex)} onChange={onChange} />;
  } else {
    body = <p className="muted">{count > 1 ? `${count} items selected. Press Delete to remove them.` : "Select a node or an edge to edit it."}</p>;
  }
  return (
    <aside className="fe-inspector" aria-label="Inspector">
      {body}
    </aside>
  );
}
