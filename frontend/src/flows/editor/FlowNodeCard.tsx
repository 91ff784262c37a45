import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { CanvasNode } from "./graph-convert";
import { INPUT_HANDLE } from "./graph-convert";
import { OUTCOMES } from "./graph-ops";
import { issueCounts, keyFieldPreview, typeIcon } from "./node-display";
import { nodeRunBadge, nodeRunTitle } from "./run-display";

const OUTPUT_OFFSETS = { always: "46%", pass: "66%", fail: "86%" } as const;

/** A node on the canvas: type badge, label, key field, one input and three outcome outputs. */
function FlowNodeCardImpl({ id, data, selected }: NodeProps<CanvasNode>) {
  const { node, entry, issues, run } = data;
  const { errors, warnings } = issueCounts(issues);
  const preview = keyFieldPreview(node, entry);
  const state = errors > 0 ? "error" : warnings > 0 ? "warning" : "ok";
  const issueText = issues.map((issue) => `${issue.severity}: ${issue.message}`).join("\n");
  const runText = run === null ? "" : nodeRunTitle(run);
  const tooltip = [runText, issueText].filter((text) => text !== "").join("\n");
  return (
    <div
      className="flow-node"
      data-state={state}
      data-unsupported={entry === null ? "true" : undefined}
      data-selected={selected ? "true" : undefined}
      data-testid={`node-${id}`}
      data-status={run?.status}
      title={tooltip === "" ? undefined : tooltip}
    >
      <Handle type="target" position={Position.Left} id={INPUT_HANDLE} className="flow-handle" data-testid={`handle-${id}-in`} aria-label={`${id} input`} />
      <div className="flow-node-head">
        <span className="flow-node-type" data-type={node.type}>
          <span aria-hidden="true">{typeIcon(node.type)}</span> {node.type}
        </span>
        {entry === null ? <span className="flow-node-unsupported">Unsupported</span> : <span className="flow-node-entry">{entry.name}</span>}
      </div>
      {run !== null && run.status !== "pending" && (
        <span className="flow-node-run" data-status={run.status} aria-label={runText}>
          {nodeRunBadge(run)}
        </span>
      )}
      <div className="flow-node-label">{node.label !== undefined && node.label !== "" ? node.label : node.id}</div>
      {node.type === "agentic" && node.data?.mode === "monitor" && (
        <span className="flow-node-monitoring" title="Generated its flow; left out of runs, watching them">
          monitoring
        </span>
      )}
      {preview !== null && <code className="flow-node-preview">{preview}</code>}
      {issues.length > 0 && (
        <div className="flow-node-issues" aria-label={issueText}>
          {errors > 0 && <span className="count-error">{errors} ✕</span>}
          {warnings > 0 && <span className="count-warning">{warnings} !</span>}
        </div>
      )}
      {OUTCOMES.map((outcome) => (
        <Handle
          key={outcome}
          type="source"
          position={Position.Right}
          id={outcome}
          className={`flow-handle outcome-${outcome}`}
          style={{ top: OUTPUT_OFFSETS[outcome] }}
          data-testid={`handle-${id}-${outcome}`}
          aria-label={`${id} ${outcome} output`}
          title={outcome}
        />
      ))}
      {OUTCOMES.map((outcome) => (
        <span key={outcome} className={`flow-port-label outcome-${outcome}`} style={{ top: OUTPUT_OFFSETS[outcome] }} aria-hidden="true">
          {outcome}
        </span>
      ))}
    </div>
  );
}

export const FlowNodeCard = memo(FlowNodeCardImpl);
