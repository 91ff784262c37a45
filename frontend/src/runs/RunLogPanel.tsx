import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { filterLines, isAtBottom, nodesWithLines, type LogBuffer, type LogLine } from "./log-buffer";
import { runPath } from "./runs-logic";

export interface RunLogPanelProps {
  log: LogBuffer;
  executionId: string | null;
  /** Only this node's lines; null: all. */
  nodeFilter: string | null;
  onNodeFilter: (nodeId: string | null) => void;
  collapsed: boolean;
  onToggleCollapsed: () => void;
  /** Shown at the end of the bar (e.g. "Run failed. Open the run in Runs"). */
  notice?: ReactNode;
}

function LogRow({ line, onNode }: { line: LogLine; onNode: (nodeId: string) => void }) {
  const nodeId = line.nodeId;
  return (
    <div className="run-log-line" data-kind={line.kind} data-tone={line.tone}>
      {nodeId !== null ? (
        <button
          type="button"
          className="run-log-node"
          title={`Only ${nodeId}`}
          onClick={() => {
            onNode(nodeId);
          }}
        >
          {nodeId}
        </button>
      ) : (
        <span className="run-log-node" aria-hidden="true">
          run
        </span>
      )}
      <span className="run-log-text">{line.text}</span>
    </div>
  );
}

/** The run's output, newest at the bottom: filter by node, stdout/stderr styled, follows new lines unless scrolled up. */
export function RunLogPanel({ log, executionId, nodeFilter, onNodeFilter, collapsed, onToggleCollapsed, notice = null }: RunLogPanelProps) {
  const [outputOnly, setOutputOnly] = useState(false);
  const box = useRef<HTMLDivElement | null>(null);
  const follow = useRef(true);
  const lines = useMemo(() => filterLines(log.lines, { nodeId: nodeFilter, outputOnly }), [log.lines, nodeFilter, outputOnly]);
  const nodes = useMemo(() => {
    const seen = nodesWithLines(log.lines);
    return nodeFilter !== null && !seen.includes(nodeFilter) ? [nodeFilter, ...seen] : seen;
  }, [log.lines, nodeFilter]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el !== null && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines, collapsed]);

  return (
    <section className="run-log-panel" data-collapsed={collapsed ? "true" : undefined} aria-label="Run log panel">
      <div className="run-log-bar">
        <button type="button" className="quiet" aria-expanded={!collapsed} onClick={onToggleCollapsed}>
          {collapsed ? "▸" : "▾"} Run log
        </button>
        {!collapsed && (
          <>
            <label>
              Node{" "}
              <select
                value={nodeFilter ?? ""}
                onChange={(event) => {
                  onNodeFilter(event.target.value === "" ? null : event.target.value);
                }}
              >
                <option value="">All nodes</option>
                {nodes.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </label>
            <label className="run-log-check">
              <input
                type="checkbox"
                checked={outputOnly}
                onChange={(event) => {
                  setOutputOnly(event.target.checked);
                }}
              />{" "}
              Output only
            </label>
            <span className="muted">
              {lines.length} {lines.length === 1 ? "line" : "lines"}
            </span>
          </>
        )}
        <span className="header-spacer" />
        {notice}
        {log.dropped > 0 && executionId !== null && (
          <span className="muted">
            {log.dropped} older lines in <Link to={runPath(executionId)}>the run's history</Link>
          </span>
        )}
      </div>
      {!collapsed && (
        <div
          ref={box}
          className="run-log"
          role="log"
          aria-label="Run log"
          tabIndex={0}
          onScroll={(event) => {
            follow.current = isAtBottom(event.currentTarget);
          }}
        >
          {lines.length === 0 ? (
            <p className="muted run-log-empty">{executionId === null ? "Press Run to see the output here." : "No lines yet."}</p>
          ) : (
            lines.map((line) => <LogRow key={line.seq} line={line} onNode={onNodeFilter} />)
          )}
        </div>
      )}
    </section>
  );
}
