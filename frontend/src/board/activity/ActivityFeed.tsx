import type { AppError, TaskTimes } from "@flow/bindings";
import { useMemo } from "react";
import type { BoardTask } from "../BoardPage";
import { formatWhen } from "../format-when";
import { activityFeed } from "./activity-feed";
import "./activity.css";

/** What is in progress right now, across every session, newest update first; click to open. */
export function ActivityFeed({
  tasks,
  times,
  error,
  sessionName,
  onOpen,
}: {
  tasks: readonly BoardTask[] | null;
  times: ReadonlyMap<string, TaskTimes>;
  error: AppError | null;
  sessionName: (sessionId: string) => string;
  onOpen: (sessionId: string, taskId: string) => void;
}) {
  const entries = useMemo(() => (tasks === null ? [] : activityFeed(tasks, times)), [tasks, times]);
  return (
    <section className="activity-feed" aria-label="Live activity">
      <h2>
        Live activity <span className="muted">({entries.length})</span>
      </h2>
      {error !== null && (
        <p className="error" role="alert">
          Could not load activity: {error.error}
        </p>
      )}
      {tasks === null && error === null && <p className="muted">Loading…</p>}
      {tasks !== null && entries.length === 0 && <p className="muted">Nothing in progress.</p>}
      <ol className="activity-list">
        {entries.map(({ task, updatedAt }) => (
          <li key={`${task.sessionId}/${task.id}`}>
            <button
              type="button"
              className="activity-item"
              data-session-id={task.sessionId}
              data-task-id={task.id}
              onClick={() => {
                onOpen(task.sessionId, task.id);
              }}
            >
              <span className="activity-session">{sessionName(task.sessionId)}</span>
              <span className="activity-subject">
                <span className="task-id">#{task.id}</span> {task.subject}
              </span>
              {task.activeForm !== "" && <span className="activity-form">{task.activeForm}</span>}
              {updatedAt !== null && (
                <time className="session-meta" dateTime={updatedAt}>
                  {formatWhen(updatedAt)}
                </time>
              )}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
