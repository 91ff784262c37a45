import type { ValidationIssue } from "@flow/bindings";

export interface IssuesPanelProps {
  issues: readonly ValidationIssue[];
  onFocusNode: (nodeId: string) => void;
  onFocusEdge: (index: number) => void;
}

/** The validation report as a list; an issue on a node or edge focuses it. */
export function IssuesPanel({ issues, onFocusNode, onFocusEdge }: IssuesPanelProps) {
  if (issues.length === 0) return <p className="muted fe-issues">No problems found.</p>;
  return (
    <ul className="fe-issues" aria-label="Validation issues">
      {issues.map((issue, i) => {
        const where = issue.nodeId ?? (issue.edgeIndex !== undefined && issue.edgeIndex !== null ? `edge ${issue.edgeIndex + 1}` : null);
        const text = (
          <>
            <span className="fe-severity" data-severity={issue.severity}>
              {issue.severity}
            </span>{" "}
            {where !== null && <strong>{where}</strong>}
            {issue.field !== undefined && issue.field !== null && issue.field !== "" && <span className="muted"> · {issue.field}</span>} {issue.message}
          </>
        );
        const nodeId = issue.nodeId;
        const edgeIndex = issue.edgeIndex;
        return (
          <li key={i}>
            {nodeId !== undefined && nodeId !== null ? (
              <button type="button" className="link" onClick={() => { onFocusNode(nodeId); }}>
                {text}
              </button>
            ) : edgeIndex !== undefined && edgeIndex !== null ? (
              <button type="button" className="link" onClick={() => { onFocusEdge(edgeIndex); }}>
                {text}
              </button>
            ) : (
              text
            )}
          </li>
        );
      })}
    </ul>
  );
}
