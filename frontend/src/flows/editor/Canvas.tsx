import type { CatalogEntry, FlowGraph, ValidationIssue } from "@flow/bindings";
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type NodeTypes,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { FlowNodeCard } from "./FlowNodeCard";
import { toXyflow, withPositions, type CanvasEdge, type CanvasNode, type CanvasRun, type Selection } from "./graph-convert";
import { connect, isOutcome, removeElements } from "./graph-ops";
import { PALETTE_MIME } from "./Palette";

const nodeTypes: NodeTypes = { flow: FlowNodeCard };
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed } };

export interface CanvasProps {
  graph: FlowGraph;
  entries: readonly CatalogEntry[];
  issues: readonly ValidationIssue[];
  selection: Selection;
  onChange: (graph: FlowGraph, coalesceKey?: string | null) => void;
  onSelectionChange: (update: (selection: Selection) => Selection) => void;
  onGestureEnd: () => void;
  onDropEntry: (entry: CatalogEntry, position: { x: number; y: number }) => void;
  /** Bumped to ask for a fit-to-view (after a palette add, an auto-layout, a load). */
  fitRequest: number;
  /** Bumped with a node id to centre on it (from the issues list). */
  focusRequest: { nodeId: string; seq: number } | null;
  /** The run shown on the nodes (status rings) and edges (taken glow). */
  run?: CanvasRun | null;
  /** A node was clicked (the log panel filters to it). */
  onNodeClick?: (nodeId: string) => void;
}

function toggle<T>(list: readonly T[], item: T, on: boolean): T[] {
  const rest = list.filter((x) => x !== item);
  return on ? [...rest, item] : rest;
}

function CanvasInner(props: CanvasProps) {
  const { graph, entries, issues, selection, onChange, onSelectionChange, onGestureEnd, onDropEntry, fitRequest, focusRequest, run = null, onNodeClick } = props;
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const { nodes, edges } = useMemo(
    () => toXyflow(graph, { entries, issues, selection, measured, run }),
    [graph, entries, issues, selection, measured, run],
  );
  const flow = useReactFlow<CanvasNode, CanvasEdge>();
  const dragKey = useRef<string | null>(null);
  const dragCount = useRef(0);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const sizes: Record<string, { width: number; height: number }> = {};
      const moves: { id: string; position: { x: number; y: number } }[] = [];
      const selects: { id: string; selected: boolean }[] = [];
      for (const change of changes) {
        if (change.type === "dimensions" && change.dimensions !== undefined) sizes[change.id] = change.dimensions;
        else if (change.type === "position" && change.position !== undefined) moves.push({ id: change.id, position: change.position });
        else if (change.type === "select") selects.push({ id: change.id, selected: change.selected });
      }
      if (Object.keys(sizes).length > 0) setMeasured((m) => ({ ...m, ...sizes }));
      if (moves.length > 0) onChange(withPositions(graph, moves), dragKey.current);
      if (selects.length > 0) {
        onSelectionChange((s) => ({ ...s, nodeIds: selects.reduce((ids, c) => toggle(ids, c.id, c.selected), [...s.nodeIds]) }));
      }
    },
    [graph, onChange, onSelectionChange],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<CanvasEdge>[]) => {
      const selects: { index: number; selected: boolean }[] = [];
      for (const change of changes) {
        if (change.type !== "select") continue;
        const index = edges.find((e) => e.id === change.id)?.data?.index;
        if (index !== undefined) selects.push({ index, selected: change.selected });
      }
      if (selects.length > 0) {
        onSelectionChange((s) => ({ ...s, edgeIndexes: selects.reduce((ids, c) => toggle(ids, c.index, c.selected), [...s.edgeIndexes]) }));
      }
    },
    [edges, onSelectionChange],
  );

  const onDelete = useCallback(
    ({ nodes: goneNodes, edges: goneEdges }: { nodes: CanvasNode[]; edges: CanvasEdge[] }) => {
      const edgeIndexes = goneEdges.flatMap((e) => (e.data === undefined ? [] : [e.data.index]));
      onChange(
        removeElements(
          graph,
          goneNodes.map((n) => n.id),
          edgeIndexes,
        ),
      );
      onSelectionChange(() => ({ nodeIds: [], edgeIndexes: [] }));
    },
    [graph, onChange, onSelectionChange],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const outcome = isOutcome(connection.sourceHandle) ? connection.sourceHandle : "always";
      onChange(connect(graph, connection.source, connection.target, outcome));
    },
    [graph, onChange],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const slug = event.dataTransfer.getData(PALETTE_MIME);
      const entry = entries.find((e) => e.slug === slug);
      if (entry === undefined) return;
      event.preventDefault();
      onDropEntry(entry, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [entries, flow, onDropEntry],
  );

  useEffect(() => {
    if (fitRequest === 0) return;
    const timer = setTimeout(() => {
      void flow.fitView({ padding: 0.2, maxZoom: 1.1, duration: 0 });
    }, 30);
    return () => {
      clearTimeout(timer);
    };
  }, [fitRequest, flow]);

  useEffect(() => {
    if (focusRequest === null) return;
    const node = flow.getNode(focusRequest.nodeId);
    if (node === undefined) return;
    const width = node.measured?.width ?? 200;
    const height = node.measured?.height ?? 80;
    void flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: 1.1, duration: 250 });
  }, [focusRequest, flow]);

  return (
    <div className="fe-canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onDelete={onDelete}
        onConnect={onConnect}
        onNodeClick={
          onNodeClick === undefined
            ? undefined
            : (_event, node) => {
                onNodeClick(node.id);
              }
        }
        isValidConnection={(c) => c.source !== c.target}
        onNodeDragStart={() => {
          dragCount.current += 1;
          dragKey.current = `drag:${dragCount.current}`;
        }}
        onNodeDragStop={() => {
          dragKey.current = null;
          onGestureEnd();
        }}
        deleteKeyCode={["Delete", "Backspace"]}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
        aria-label="Flow canvas"
      >
        <Background gap={20} />
        <MiniMap pannable zoomable ariaLabel="Mini map" />
        <Controls />
      </ReactFlow>
    </div>
  );
}

/** The node graph, edited directly: drag, connect outcomes, delete, drop palette entries. */
export function Canvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}
