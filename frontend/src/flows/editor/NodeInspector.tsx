import type { CatalogEntry, FlowGraph, FlowNode, JsonValue, ValidationIssue } from "@flow/bindings";
import { useId, useMemo, useState } from "react";
import { nodeIdProblem, renameNode, updateNode } from "./graph-ops";
import { describeSchema, otherDataKeys, setDataKey } from "./schema-form";
import { JsonField, SchemaField } from "./SchemaField";

export interface NodeInspectorProps {
  graph: FlowGraph;
  node: FlowNode;
  entry: CatalogEntry | null;
  issues: readonly ValidationIssue[];
  onChange: (graph: FlowGraph, coalesceKey?: string | null) => void;
  onRenamed: (id: string) => void;
}

/** The selected node: id, label, its entry's schema fields, and every other data key. */
export function NodeInspector({ graph, node, entry, issues, onChange, onRenamed }: NodeInspectorProps) {
  const idInput = useId();
  const labelInput = useId();
  const [idDraft, setIdDraft] = useState(node.id);
  const idError = nodeIdProblem(graph, node.id, idDraft);
  const fields = useMemo(() => (entry === null ? [] : describeSchema(entry.schema)), [entry]);
  const identity = entry?.identity ?? {};
  const others = otherDataKeys(node.data, fields, identity);
  const nodeIssues = issues.filter((issue) => issue.field === undefined || issue.field === null || issue.field === "");
  const fieldIssues = (key: string) => issues.filter((issue) => issue.field === key || issue.field === `data.${key}`).map((issue) => issue.message);

  const setData = (key: string, value: JsonValue | undefined) => {
    onChange(
      updateNode(graph, node.id, (n) => ({ ...n, data: setDataKey(n.data, key, value) })),
      `field:${node.id}:${key}`,
    );
  };
  const commitId = () => {
    if (idError !== null || idDraft === node.id) return;
    onChange(renameNode(graph, node.id, idDraft));
    onRenamed(idDraft);
  };

  return (
    <div className="fe-inspector-body">
      <h2>
        {entry?.name ?? "Unsupported node"} <span className="muted">({node.type})</span>
      </h2>
      {entry === null ? (
        <p className="muted">No installed node type matches this node. Its data is kept exactly as it is.</p>
      ) : (
        entry.description !== "" && <p className="muted">{entry.description}</p>
      )}
      {nodeIssues.length > 0 && (
        <ul className="fe-issue-inline">
          {nodeIssues.map((issue, i) => (
            <li key={i} data-severity={issue.severity}>
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      <div className="fe-field" data-invalid={idError !== null ? "true" : undefined}>
        <label htmlFor={idInput}>Node id</label>
        <input
          id={idInput}
          value={idDraft}
          aria-invalid={idError !== null}
          aria-describedby={`${idInput}-help`}
          onChange={(e) => { setIdDraft(e.target.value); }}
          onBlur={commitId}
          onKeyDown={(e) => {
            if (e.key === "Enter") commitId();
          }}
        />
        <div id={`${idInput}-help`} className="fe-field-help">
          {idError !== null && <span className="error">{idError}</span>}
        </div>
      </div>
      <div className="fe-field">
        <label htmlFor={labelInput}>Label</label>
        <input
          id={labelInput}
          value={node.label ?? ""}
          onChange={(e) => {
            const label = e.target.value;
            onChange(updateNode(graph, node.id, (n) => ({ ...n, label })), `label:${node.id}`);
          }}
        />
      </div>
      {Object.keys(identity).length > 0 && (
        <p className="muted fe-identity">
          {Object.entries(identity)
            .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
            .join(" · ")}
        </p>
      )}
      {fields.map((field) => (
        <SchemaField key={field.key} field={field} value={node.data?.[field.key]} issues={fieldIssues(field.key)} service={typeof identity.service === "string" ? identity.service : typeof identity.provider === "string" ? identity.provider : null} onCommit={(value) => { setData(field.key, value); }} />
      ))}
      {others.length > 0 && (
        <fieldset className="fe-other-fields">
          <legend>Other fields</legend>
          {others.map((key) => (
            <JsonField key={key} label={key} value={node.data?.[key]} issues={fieldIssues(key)} onCommit={(value) => { setData(key, value); }} />
          ))}
        </fieldset>
      )}
    </div>
  );
}
