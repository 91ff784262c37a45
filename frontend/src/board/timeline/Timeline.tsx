import type { AppError, TaskTimes } from "@flow/bindings";
import { useMemo, useState } from "react";
import type { BoardTask } from "../BoardPage";
import { formatWhen } from "../format-when";
import { taskKey } from "../task-times";
import { barPlacement, tickFormat } from "./time-axis";
import { timelinePlan } from "./timeline-rows";
import "./timeline.css";

/**
 * Gantt-style view of the tasks: one bar per task from its creation to its last update, on a
 * time axis that scales from seconds to days with the span. Hovering or focusing a bar shows the
 * exact times; clicking it opens the task.
 */
export function Timeline({
  tasks,
  times,
  timesError,
  sessionName,
  selectedKey,
  onOpen,
}: {
  tasks: readonly BoardTask[];
  times: ReadonlyMap<string, TaskTimes>;
  timesError: AppError | null;
  /** The session's name, shown on each row when the view spans sessions; null in a session view. */
  sessionName: ((sessionId: string) => string) | null;
  selectedKey: string | null;
  onOpen: (task: BoardTask) => void;
}) {
  const plan = useMemo(() => timelinePlan(tasks, times), [tasks, times]);
  // The hovered or focused bar, with where its tooltip goes (fixed, so the scroll box can't clip it).
  const [hover, setHover] = useState<{ key: string; left: number; top: number } | null>(null);
  const hovered = hover?.key ?? null;
  const showTip = (key: string, bar: HTMLElement) => {
    const rect = bar.getBoundingClientRect();
    setHover({ key, left: Math.max(8, Math.min(rect.left, window.innerWidth - 320)), top: rect.bottom + 6 });
  };
  const hideTip = (key: string) => {
    setHover((current) => (current?.key === key ? null : current));
  };
  const { axis } = plan;
  const label = useMemo(() => (axis === null ? null : new Intl.DateTimeFormat(undefined, tickFormat(axis))), [axis]);

  if (timesError !== null && plan.rows.length === 0) {
    return (
      <div className="error card" role="alert">
        <p>Could not load task times: {timesError.error}</p>
      </div>
    );
  }
  if (tasks.length === 0) return <p className="muted">No tasks.</p>;

  return (
    <section className="timeline" aria-label="Timeline" data-unit={axis?.unit ?? ""}>
      {axis !== null && label !== null && (
        <div className="timeline-grid">
          <div className="timeline-axis" aria-label={`Time axis in ${axis.unit}`}>
            {axis.ticks.map((tick, index) => (
              <span
                key={tick.at}
                className={index === 0 ? "timeline-tick first" : index === axis.ticks.length - 1 ? "timeline-tick last" : "timeline-tick"}
                style={{ left: `${tick.percent}%` }}
              >
                {label.format(tick.at)}
              </span>
            ))}
          </div>
          <ol className="timeline-rows">
            {plan.rows.map((row) => {
              const key = taskKey(row.task.sessionId, row.task.id);
              const place = barPlacement(axis, row.from, row.to);
              const tooltipId = `timeline-tip-${key.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
              return (
                <li key={key} className="timeline-row">
                  <span className="timeline-label" title={row.task.subject}>
                    <span className="task-id">#{row.task.id}</span> {row.task.subject}
                    {sessionName !== null && <span className="session-meta"> {sessionName(row.task.sessionId)}</span>}
                  </span>
                  <div className="timeline-track">
                    {axis.ticks.map((tick) => (
                      <span key={tick.at} className="timeline-gridline" style={{ left: `${tick.percent}%` }} />
                    ))}
                    <button
                      type="button"
                      className={`timeline-bar ${row.task.status}`}
                      data-task-id={row.task.id}
                      data-session-id={row.task.sessionId}
                      aria-pressed={selectedKey === key}
                      aria-describedby={hovered === key ? tooltipId : undefined}
                      aria-label={`#${row.task.id} ${row.task.subject}`}
                      style={{ left: `${place.left}%`, width: `${place.width}%` }}
                      onMouseEnter={(event) => {
                        showTip(key, event.currentTarget);
                      }}
                      onMouseLeave={() => {
                        hideTip(key);
                      }}
                      onFocus={(event) => {
                        showTip(key, event.currentTarget);
                      }}
                      onBlur={() => {
                        hideTip(key);
                      }}
                      onClick={() => {
                        onOpen(row.task);
                      }}
                    />
                    {hover !== null && hover.key === key && (
                      <div id={tooltipId} role="tooltip" className="timeline-tooltip" style={{ left: hover.left, top: hover.top }}>
                        <strong>
                          #{row.task.id} {row.task.subject}
                        </strong>
                        <span>
                          Created <time dateTime={row.createdAt}>{formatWhen(row.createdAt)}</time>
                        </span>
                        <span>
                          Updated <time dateTime={row.updatedAt}>{formatWhen(row.updatedAt)}</time>
                        </span>
                      </div>
                    )}
                  </div>
                </li>
              );
            })}
          </ol>
        </div>
      )}
      {plan.untimed.length > 0 && (
        <p className="muted timeline-untimed">
          No times yet for {plan.untimed.map((task) => `#${task.id}`).join(", ")}.
        </p>
      )}
    </section>
  );
}
