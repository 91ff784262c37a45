import type { NodeRun } from "../../runs/run-reducer";
import { formatDuration } from "../../runs/runs-logic";

const ICONS = { pending: "…", running: "●", succeeded: "✓", failed: "✕", skipped: "⤼" } as const;

/** The small badge on a node card: icon, iteration (in a loop) and duration. */
export function nodeRunBadge(run: NodeRun): string {
  const parts: string[] = [ICONS[run.status]];
  if (run.iteration > 0) parts.push(`×${run.iteration + 1}`);
  if (run.durationMs !== null && (run.status === "succeeded" || run.status === "failed")) parts.push(formatDuration(run.durationMs));
  if (run.status === "running" && run.progress?.bytes != null && run.progress.total != null && run.progress.total > 0) {
    parts.push(`${Math.floor((run.progress.bytes / run.progress.total) * 100)}%`);
  }
  if (run.status === "running" && run.tokens !== undefined && run.tokens > 0) parts.push(`${run.tokens} tok`);
  return parts.join(" ");
}

/** The node's run state in a sentence (tooltip and accessible name). */
export function nodeRunTitle(run: NodeRun): string {
  const visit = run.iteration > 0 ? ` (iteration ${run.iteration + 1})` : "";
  switch (run.status) {
    case "pending":
      return "Run: pending";
    case "running":
      return `Run: running${visit}${run.tool !== undefined ? ` — ${run.tool}` : ""}`;
    case "succeeded":
      return `Run: succeeded${visit} in ${formatDuration(run.durationMs)}`;
    case "failed":
      return `Run: failed${visit}${run.error !== undefined ? ` — ${run.error}` : ""}`;
    case "skipped":
      return `Run: skipped${run.reason !== undefined ? ` — ${run.reason}` : ""}`;
  }
}
