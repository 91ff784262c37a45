import type { BoardTask } from "./BoardPage";
import { COLUMNS, type ColumnStatus } from "./board-logic";

/** The three status columns of a view's tasks. */
export function Kanban({
  columns,
  sessionName,
  selected,
  onSelect,
}: {
  columns: Record<ColumnStatus, BoardTask[]>;
  /** The session's name on each card when the view spans sessions; null in a session view. */
  sessionName: ((sessionId: string) => string) | null;
  selected: { sessionId: string; taskId: string } | null;
  onSelect: (task: BoardTask) => void;
}) {
  return (
    <div className="kanban">
      {COLUMNS.map((column) => (
        <section key={column.status} className="kanban-column" aria-label={column.title} data-status={column.status}>
          <h3>
            {column.title} <span className="muted">({columns[column.status].length})</span>
          </h3>
          <ul>
            {columns[column.status].map((task) => (
              <li key={`${task.sessionId}/${task.id}`}>
                <button
                  type="button"
                  className="task-card"
                  data-task-id={task.id}
                  aria-pressed={selected?.sessionId === task.sessionId && selected.taskId === task.id}
                  onClick={() => {
                    onSelect(task);
                  }}
                >
                  <span className="task-id">#{task.id}</span> {task.subject}
                  {sessionName !== null && <span className="session-meta">{sessionName(task.sessionId)}</span>}
                  {task.status === "in_progress" && task.activeForm !== "" && <span className="session-meta">{task.activeForm}</span>}
                  {task.owner !== "" && <span className="session-meta">@{task.owner}</span>}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
