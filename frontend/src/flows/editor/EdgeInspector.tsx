import type { FlowEdge, FlowGraph, ValidationIssue } from "@flow/bindings";
import { useId } from "react";
import { isOutcome, OUTCOMES, outcomeOf, updateEdge } from "./graph-ops";

export interface EdgeInspectorProps {
  graph: FlowGraph;
  edge: FlowEdge;
  index: number;
  issues: readonly ValidationIssue[];
  onChange: (graph: FlowGraph, coalesceKey?: string | null) => void;
}

/** The selected edge: which outcome it follows, its label and condition. */
export function EdgeInspector({ graph, edge, index, issues, onChange }: EdgeInspectorProps) {
  const id = useId();
  const set = (change: Partial<FlowEdge>, key: string | null) => {
    onChange(updateEdge(graph, index, (e) => ({ ...e, ...change })), key);
  };
  const fieldIssues = (field: string) => issues.filter((i) => i.field === field).map((i) => i.message);
  const general = issues.filter((i) => i.field === undefined || i.field === null || i.field === "");
  return (
    <div className="fe-inspector-body">
      <h2>Edge</h2>
      <p className="muted">
        {edge.source} → {edge.target}
      </p>
      {general.length > 0 && (
        <ul className="fe-issue-inline">
          {general.map((issue, i) => (
            <li key={i} data-severity={issue.severity}>
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      <div className="fe-field">
        <label htmlFor={`${id}-outcome`}>Outcome</label>
        <select
          id={`${id}-outcome`}
          value={outcomeOf(edge)}
          onChange={(e) => {
            if (isOutcome(e.target.value)) set({ outcome: e.target.value }, null);
          }}
        >
          {OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </select>
      </div>
      {(["label", "condition"] as const).map((field) => {
        const messages = fieldIssues(field);
        return (
          <div key={field} className="fe-field" data-invalid={messages.length > 0 ? "true" : undefined}>
            <label htmlFor={`${id}-${field}`}>{field === "label" ? "Label" : "Condition"}</label>
            <input
              id={`${id}-${field}`}
              value={edge[field] ?? ""}
              placeholder={field === "condition" ? "{{node.output}} == 'value'" : undefined}
              aria-invalid={messages.length > 0}
              onChange={(e) => {
                const value = e.target.value;
                set({ [field]: value === "" ? null : value }, `edge:${index}:${field}`);
              }}
            />
            <div className="fe-field-help">
              {messages.map((m) => (
                <span key={m} className="error">
                  {m}
                </span>
              ))}
            </div>
          </div>
        );
      })}
    </div>
  );
}
