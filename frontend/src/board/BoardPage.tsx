import type { AppError, SessionListItem, Task, TaskWithSession } from "@flow/bindings";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { asAppError, useFlowEvents, useHost } from "../host";
import {
  COLUMNS,
  createRefetchCoalescer,
  descriptionOf,
  filterSessions,
  groupTasks,
  lastActivity,
  projectsOf,
  sessionTitle,
  type RefetchCoalescer,
  type RefetchPlan,
} from "./board-logic";
import { TaskDetail } from "./TaskDetail";

/** A task on the board, with the session it belongs to (the session view adds it). */
export type BoardTask = Task & { sessionId: string };

export type BoardView = { kind: "none" } | { kind: "all" } | { kind: "session"; id: string };

function viewFrom(params: URLSearchParams): BoardView {
  const session = params.get("session");
  if (session !== null && session !== "") return { kind: "session", id: session };
  if (params.get("view") === "all") return { kind: "all" };
  return { kind: "none" };
}

function viewKey(view: BoardView): string {
  return view.kind === "session" ? `session:${view.id}` : view.kind;
}

export function formatWhen(iso: string | null): string {
  if (iso === null) return "unknown";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function BoardPage() {
  const { client } = useHost();
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => viewFrom(params), [params]);
  const key = viewKey(view);

  const [sessions, setSessions] = useState<SessionListItem[] | null>(null);
  const [sessionsError, setSessionsError] = useState<AppError | null>(null);
  const [tasks, setTasks] = useState<{ key: string; tasks: BoardTask[] } | null>(null);
  const [tasksError, setTasksError] = useState<{ key: string; error: AppError } | null>(null);
  const [selected, setSelected] = useState<{ sessionId: string; taskId: string } | null>(null);
  const [search, setSearch] = useState("");
  const [project, setProject] = useState("");

  const loadSessions = useCallback(() => {
    client.boardSessions(null, true).then(
      (next) => {
        setSessions(next);
        setSessionsError(null);
      },
      (cause: unknown) => {
        setSessionsError(asAppError(cause));
      },
    );
  }, [client]);

  // Only the answer to the newest request for the current view may land.
  const taskRequest = useRef(0);
  const loadTasks = useCallback(() => {
    taskRequest.current += 1;
    const request = taskRequest.current;
    if (view.kind === "none") return;
    const pending: Promise<BoardTask[]> =
      view.kind === "all"
        ? client.boardAllTasks(null).then((all: TaskWithSession[]) => all)
        : client.boardSessionTasks(view.id, null).then((list) => list.map((task) => ({ ...task, sessionId: view.id })));
    pending.then(
      (next) => {
        if (taskRequest.current !== request) return;
        setTasks({ key, tasks: next });
        setTasksError(null);
      },
      (cause: unknown) => {
        if (taskRequest.current !== request) return;
        setTasksError({ key, error: asAppError(cause) });
      },
    );
  }, [client, view, key]);

  useEffect(loadSessions, [loadSessions]);
  useEffect(loadTasks, [loadTasks]);

  // Live updates: bursts of file events become one refetch.
  const flushRef = useRef<(plan: RefetchPlan) => void>(() => undefined);
  useEffect(() => {
    flushRef.current = (plan) => {
      if (plan.list || plan.all || plan.sessions.size > 0) loadSessions();
      const touchesView =
        plan.all ||
        (view.kind === "all" && plan.sessions.size > 0) ||
        (view.kind === "session" && plan.sessions.has(view.id));
      if (touchesView) loadTasks();
    };
  });
  const coalescer = useRef<RefetchCoalescer | null>(null);
  useEffect(() => {
    const created = createRefetchCoalescer((plan) => {
      flushRef.current(plan);
    });
    coalescer.current = created;
    return () => {
      created.cancel();
      coalescer.current = null;
    };
  }, []);

  useFlowEvents((event) => {
    const target = coalescer.current;
    if (target === null) return;
    switch (event.type) {
      case "update":
        if (typeof event.sessionId === "string" && event.sessionId !== "") target.mark({ list: true, session: event.sessionId });
        else target.mark({ all: true });
        break;
      case "metadata-update":
        target.mark({ list: true });
        break;
      case "resync":
        target.mark({ all: true });
        break;
      default:
        break;
    }
  });

  const choose = (next: BoardView) => {
    setSelected(null);
    const nextParams = new URLSearchParams();
    if (next.kind === "session") nextParams.set("session", next.id);
    else if (next.kind === "all") nextParams.set("view", "all");
    setParams(nextParams);
  };

  const visibleSessions = useMemo(
    () => (sessions === null ? [] : filterSessions(sessions, { search, project })),
    [sessions, search, project],
  );
  const projects = useMemo(() => (sessions === null ? [] : projectsOf(sessions)), [sessions]);
  const currentTasks = tasks !== null && tasks.key === key ? tasks.tasks : null;
  const currentError = tasksError !== null && tasksError.key === key ? tasksError.error : null;
  const columns = useMemo(() => (currentTasks === null ? null : groupTasks(currentTasks)), [currentTasks]);
  const selectedTask =
    selected === null || currentTasks === null
      ? null
      : (currentTasks.find((task) => task.sessionId === selected.sessionId && task.id === selected.taskId) ?? null);
  const currentSession = view.kind === "session" ? (sessions?.find((session) => session.id === view.id) ?? null) : null;
  const sessionNames = useMemo(() => new Map((sessions ?? []).map((s) => [s.id, sessionTitle(s)])), [sessions]);

  const onNoteAdded = (sessionId: string, taskId: string, document: unknown) => {
    const description = descriptionOf(document);
    if (description !== null) {
      setTasks((current) =>
        current === null
          ? current
          : {
              key: current.key,
              tasks: current.tasks.map((task) =>
                task.sessionId === sessionId && task.id === taskId ? { ...task, description } : task,
              ),
            },
      );
    }
  };

  const onDeleted = (sessionId: string, taskId: string) => {
    setSelected(null);
    setTasks((current) =>
      current === null
        ? current
        : {
            key: current.key,
            tasks: current.tasks.filter((task) => !(task.sessionId === sessionId && task.id === taskId)),
          },
    );
    loadSessions();
  };

  return (
    <div className="page board">
      <h1>Board</h1>
      {sessionsError !== null && (
        <div className="error card" role="alert">
          <p>Could not load sessions: {sessionsError.error}</p>
          <button type="button" onClick={loadSessions}>
            Try again
          </button>
        </div>
      )}
      <div className="board-layout">
        <section className="board-sessions" aria-label="Sessions">
          <div className="board-filters">
            <input
              type="search"
              aria-label="Search sessions"
              placeholder="Search name, project, branch"
              value={search}
              onChange={(event) => {
                setSearch(event.target.value);
              }}
            />
            <select
              aria-label="Project"
              value={project}
              onChange={(event) => {
                setProject(event.target.value);
              }}
            >
              <option value="">All projects</option>
              {projects.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            className="session-item all-tasks"
            aria-pressed={view.kind === "all"}
            onClick={() => {
              choose({ kind: "all" });
            }}
          >
            All tasks
          </button>
          {sessions === null && sessionsError === null && <p className="muted">Loading sessions…</p>}
          {sessions !== null && visibleSessions.length === 0 && (
            <p className="muted">{sessions.length === 0 ? "No sessions yet." : "No session matches."}</p>
          )}
          <ul className="session-list">
            {visibleSessions.map((session) => (
              <li key={session.id}>
                <button
                  type="button"
                  className="session-item"
                  aria-pressed={view.kind === "session" && view.id === session.id}
                  data-session-id={session.id}
                  onClick={() => {
                    choose({ kind: "session", id: session.id });
                  }}
                >
                  <span className="session-name">{sessionTitle(session)}</span>
                  {session.project !== null && <span className="session-meta">{session.project}</span>}
                  {session.gitBranch !== null && session.gitBranch !== "" && (
                    <span className="session-meta">⎇ {session.gitBranch}</span>
                  )}
                  <span className="session-counts">
                    <span className="count pending" title="Pending">
                      {session.pending} pending
                    </span>
                    <span className="count in_progress" title="In progress">
                      {session.inProgress} in progress
                    </span>
                    <span className="count completed" title="Completed">
                      {session.completed} done
                    </span>
                  </span>
                  <span className="session-meta">Last activity {formatWhen(lastActivity(session))}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>

        <section className="board-main" aria-label="Tasks">
          {view.kind === "none" && <p className="muted">Select a session, or All tasks, to see its tasks.</p>}
          {view.kind !== "none" && (
            <h2>{view.kind === "all" ? "All tasks" : currentSession !== null ? sessionTitle(currentSession) : view.id}</h2>
          )}
          {currentError !== null && (
            <div className="error card" role="alert">
              <p>Could not load tasks: {currentError.error}</p>
              <button type="button" onClick={loadTasks}>
                Try again
              </button>
            </div>
          )}
          {view.kind !== "none" && columns === null && currentError === null && <p className="muted">Loading tasks…</p>}
          {columns !== null && (
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
                            setSelected({ sessionId: task.sessionId, taskId: task.id });
                          }}
                        >
                          <span className="task-id">#{task.id}</span> {task.subject}
                          {view.kind === "all" && (
                            <span className="session-meta">{sessionNames.get(task.sessionId) ?? task.sessionId}</span>
                          )}
                          {task.status === "in_progress" && task.activeForm !== "" && (
                            <span className="session-meta">{task.activeForm}</span>
                          )}
                          {task.owner !== "" && <span className="session-meta">@{task.owner}</span>}
                        </button>
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </div>
          )}
        </section>

        {selectedTask !== null && (
          <TaskDetail
            key={`${selectedTask.sessionId}/${selectedTask.id}`}
            task={selectedTask}
            onSelect={(taskId) => {
              setSelected({ sessionId: selectedTask.sessionId, taskId });
            }}
            onClose={() => {
              setSelected(null);
            }}
            onNoteAdded={onNoteAdded}
            onDeleted={onDeleted}
          />
        )}
      </div>
    </div>
  );
}
