import type { AppError, SessionListItem, Task } from "@flow/bindings";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { asAppError, useFlowEvents, useHost } from "../host";
import { ActivityFeed } from "./activity/ActivityFeed";
import { ArchivedSessions } from "./archive/ArchivedSessions";
import { splitArchived } from "./archive/archive";
import {
  createRefetchCoalescer,
  descriptionOf,
  filterSessions,
  groupTasks,
  projectsOf,
  sessionTitle,
  type RefetchCoalescer,
  type RefetchPlan,
} from "./board-logic";
import { DeleteSessionTasks } from "./bulk-delete/DeleteSessionTasks";
import { Kanban } from "./Kanban";
import { BellToggle } from "./notifications/BellToggle";
import { readBell, writeBell } from "./notifications/bell-setting";
import { useCompletionNotifications } from "./notifications/use-completion-notifications";
import { useBoardOverview } from "./overview/use-board-overview";
import { createSessionSearch, queryWords, tasksBySession } from "./search/session-search";
import { SessionItem } from "./SessionItem";
import { ShortcutHelp } from "./shortcuts/ShortcutHelp";
import { useBoardShortcuts } from "./shortcuts/use-board-shortcuts";
import { TaskDetail, type TaskDetailHandle } from "./TaskDetail";
import { taskKey } from "./task-times";
import { LayoutToggle, layoutFrom, type BoardLayout } from "./timeline/LayoutToggle";
import { Timeline } from "./timeline/Timeline";
import "./board-toolbar.css";

export { formatWhen } from "./format-when";

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

function paramsFor(view: BoardView, layout: BoardLayout): URLSearchParams {
  const next = new URLSearchParams();
  if (view.kind === "session") next.set("session", view.id);
  else if (view.kind === "all") next.set("view", "all");
  if (layout === "timeline") next.set("layout", "timeline");
  return next;
}

/** How often the archive rule is re-evaluated against the clock. */
const ARCHIVE_CLOCK_MS = 60_000;

/** The current time, refreshed every `everyMs`. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, everyMs);
    return () => {
      clearInterval(timer);
    };
  }, [everyMs]);
  return now;
}

export function BoardPage() {
  const { client } = useHost();
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => viewFrom(params), [params]);
  const layout = layoutFrom(params);
  const key = viewKey(view);

  const [sessions, setSessions] = useState<SessionListItem[] | null>(null);
  const [sessionsError, setSessionsError] = useState<AppError | null>(null);
  const [tasks, setTasks] = useState<{ key: string; tasks: BoardTask[] } | null>(null);
  const [tasksError, setTasksError] = useState<{ key: string; error: AppError } | null>(null);
  const [selected, setSelected] = useState<{ sessionId: string; taskId: string } | null>(null);
  const [search, setSearch] = useState("");
  const [project, setProject] = useState("");
  const [bell, setBell] = useState(readBell);
  const [helpOpen, setHelpOpen] = useState(false);
  const detailRef = useRef<TaskDetailHandle>(null);
  const overview = useBoardOverview();
  const now = useNow(ARCHIVE_CLOCK_MS);

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
    // All tasks come from the overview, which already holds every session's tasks.
    if (view.kind !== "session") return;
    client.boardSessionTasks(view.id, null).then(
      (list) => {
        if (taskRequest.current !== request) return;
        setTasks({ key, tasks: list.map((task) => ({ ...task, sessionId: view.id })) });
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
      const touchesView = view.kind === "session" && (plan.all || plan.sessions.has(view.id));
      if (touchesView) loadTasks();
      overview.refresh(plan);
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
    setParams(paramsFor(next, layout));
  };

  /** Opens a task from anywhere (activity feed, notification): its session, then the task. */
  const openTask = useCallback(
    (sessionId: string, taskId: string) => {
      setParams((current) => paramsFor({ kind: "session", id: sessionId }, layoutFrom(current)));
      setSelected({ sessionId, taskId });
    },
    [setParams],
  );

  const sessionNames = useMemo(() => new Map((sessions ?? []).map((s) => [s.id, sessionTitle(s)])), [sessions]);
  const sessionName = useCallback((id: string) => sessionNames.get(id) ?? id, [sessionNames]);

  const inProject = useMemo(() => (sessions === null ? [] : filterSessions(sessions, { search: "", project })), [sessions, project]);
  const searching = queryWords(search).length > 0;
  // The index is built only while a search is on: every task update would rebuild it.
  const searchIndex = useMemo(
    () => (searching ? createSessionSearch(inProject, tasksBySession(overview.tasks ?? [])) : null),
    [searching, inProject, overview.tasks],
  );
  const visibleSessions = useMemo(() => (searchIndex === null ? inProject : searchIndex.search(search)), [searchIndex, inProject, search]);
  const { active: activeSessions, archived: archivedSessions } = useMemo(
    () => splitArchived(visibleSessions, now),
    [visibleSessions, now],
  );
  const projects = useMemo(() => (sessions === null ? [] : projectsOf(sessions)), [sessions]);
  const currentTasks = view.kind === "all" ? overview.tasks : tasks !== null && tasks.key === key ? tasks.tasks : null;
  const currentError =
    view.kind === "all" ? overview.tasksError : tasksError !== null && tasksError.key === key ? tasksError.error : null;
  const columns = useMemo(() => (currentTasks === null ? null : groupTasks(currentTasks)), [currentTasks]);
  const selectedTask =
    selected === null || currentTasks === null
      ? null
      : (currentTasks.find((task) => task.sessionId === selected.sessionId && task.id === selected.taskId) ?? null);
  const currentSession = view.kind === "session" ? (sessions?.find((session) => session.id === view.id) ?? null) : null;
  const currentTitle = view.kind === "all" ? "All tasks" : view.kind === "session" ? (currentSession !== null ? sessionTitle(currentSession) : view.id) : "";

  const onBell = (on: boolean) => {
    setBell(on);
    writeBell(on);
  };
  useCompletionNotifications(overview.tasks, bell, sessionName, openTask);

  useBoardShortcuts((action) => {
    switch (action) {
      case "help":
        setHelpOpen((open) => !open);
        break;
      case "close":
        if (helpOpen) setHelpOpen(false);
        else setSelected(null);
        break;
      case "delete":
        if (!helpOpen) detailRef.current?.requestDelete();
        break;
    }
  });

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

  const onSessionTasksDeleted = (sessionId: string) => {
    setSelected(null);
    loadSessions();
    loadTasks();
    overview.refresh({ list: true, all: false, sessions: new Set([sessionId]) });
  };

  const selectedKey = selected === null ? null : taskKey(selected.sessionId, selected.taskId);
  const selectedSessionId = view.kind === "session" ? view.id : null;

  return (
    <div className="page board">
      <div className="board-title">
        <h1>Board</h1>
        <BellToggle on={bell} onChange={onBell} />
        <button
          type="button"
          className="quiet board-help-button"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => {
            setHelpOpen(true);
          }}
        >
          ?
        </button>
      </div>
      {sessionsError !== null && (
        <div className="error card" role="alert">
          <p>Could not load sessions: {sessionsError.error}</p>
          <button type="button" onClick={loadSessions}>
            Try again
          </button>
        </div>
      )}
      <div className="board-layout">
        <div className="board-sidebar">
          <section className="board-sessions" aria-label="Sessions">
            <div className="board-filters">
              <input
                type="search"
                aria-label="Search sessions"
                placeholder="Search names, descriptions, paths"
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
              {activeSessions.map((session) => (
                <li key={session.id}>
                  <SessionItem
                    session={session}
                    pressed={selectedSessionId === session.id}
                    onChoose={() => {
                      choose({ kind: "session", id: session.id });
                    }}
                  />
                </li>
              ))}
            </ul>
            <ArchivedSessions
              sessions={archivedSessions}
              searching={searching}
              selectedId={selectedSessionId}
              onChoose={(id) => {
                choose({ kind: "session", id });
              }}
            />
          </section>
          <ActivityFeed tasks={overview.tasks} times={overview.times} error={overview.tasksError} sessionName={sessionName} onOpen={openTask} />
        </div>

        <section className="board-main" aria-label="Tasks">
          {view.kind === "none" && <p className="muted">Select a session, or All tasks, to see its tasks.</p>}
          {view.kind !== "none" && (
            <div className="board-main-header">
              <h2>{currentTitle}</h2>
              <div className="board-main-actions">
                <LayoutToggle
                  layout={layout}
                  onChange={(next) => {
                    setParams(paramsFor(view, next));
                  }}
                />
                {view.kind === "session" && currentTasks !== null && (
                  <DeleteSessionTasks
                    key={view.id}
                    sessionId={view.id}
                    sessionName={currentTitle}
                    tasks={currentTasks}
                    onDeleted={() => {
                      onSessionTasksDeleted(view.id);
                    }}
                  />
                )}
              </div>
            </div>
          )}
          {currentError !== null && (
            <div className="error card" role="alert">
              <p>Could not load tasks: {currentError.error}</p>
              <button
                type="button"
                onClick={() => {
                  if (view.kind === "all") overview.refresh({ list: false, all: true, sessions: new Set() });
                  else loadTasks();
                }}
              >
                Try again
              </button>
            </div>
          )}
          {view.kind !== "none" && columns === null && currentError === null && <p className="muted">Loading tasks…</p>}
          {columns !== null && layout === "kanban" && (
            <Kanban
              columns={columns}
              sessionName={view.kind === "all" ? sessionName : null}
              selected={selected}
              onSelect={(task) => {
                setSelected({ sessionId: task.sessionId, taskId: task.id });
              }}
            />
          )}
          {currentTasks !== null && layout === "timeline" && (
            <Timeline
              tasks={currentTasks}
              times={overview.times}
              timesError={overview.timesError}
              sessionName={view.kind === "all" ? sessionName : null}
              selectedKey={selectedKey}
              onOpen={(task) => {
                setSelected({ sessionId: task.sessionId, taskId: task.id });
              }}
            />
          )}
        </section>

        {selectedTask !== null && (
          <TaskDetail
            ref={detailRef}
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
      {helpOpen && (
        <ShortcutHelp
          onClose={() => {
            setHelpOpen(false);
          }}
        />
      )}
    </div>
  );
}
