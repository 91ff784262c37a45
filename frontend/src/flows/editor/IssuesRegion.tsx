import type { ValidationIssue } from "@flow/bindings";
import type { RefObject } from "react";
import { IssuesPanel } from "./IssuesPanel";

/** The issues panel's focusable region below the editor body. */
export function IssuesRegion({
  regionRef,
  issues,
  onFocusNode,
  onFocusEdge,
}: {
  regionRef: RefObject<HTMLDivElement | null>;
  issues: readonly ValidationIssue[];
  onFocusNode: (nodeId: string) => void;
  onFocusEdge: (index: number) => void;
}) {
  return (
    <div ref={regionRef} tabIndex={-1} className="fe-issues-wrap" role="region" aria-label="Issues">
      <IssuesPanel issues={issues} onFocusNode={onFocusNode} onFocusEdge={onFocusEdge} />
    </div>
  );
}
