import type { Proposal, ValidationIssue } from "@flow/bindings";
import { checksByNode } from "./agentic-logic";

const DIFF_MARK = { equal: " ", insert: "+", delete: "-" } as const;

/** A proposal's diff, line by line. */
export function DiffLines({ proposal, label }: { proposal: Proposal; label: string }) {
  return (
    <pre className="fe-diff-lines" aria-label={label}>
      {proposal.diff.lines.map((line, i) => (
        <div key={i} data-op={line.op}>
          {DIFF_MARK[line.op]} {line.text}
        </div>
      ))}
    </pre>
  );
}

/** A proposal's Checks, per node. */
export function ChecksSection({ checks, clean }: { checks: readonly ValidationIssue[]; clean: string }) {
  const groups = checksByNode(checks);
  return (
    <section className="agentic-checks" aria-label="Checks">
      <h3>Checks</h3>
      {groups.length === 0 ? (
        <p className="ok">{clean}</p>
      ) : (
        <ul>
          {groups.map((group) => (
            <li key={group.nodeId}>
              <strong>{group.nodeId === "" ? "Flow" : group.nodeId}</strong>
              <ul>
                {group.issues.map((issue, i) => (
                  <li key={i} data-severity={issue.severity}>
                    {issue.severity}: {issue.message}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
