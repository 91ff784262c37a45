import type { AppError, TaskTimes } from "@flow/bindings";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { asAppError, useHost } from "../../host";
import type { BoardTask } from "../BoardPage";
import type { RefetchPlan } from "../board-logic";
import { timesByTask } from "../task-times";
import { emptyGrouped, flatten, mergeGrouped, type Grouped } from "./grouped-merge";

/** Every session's tasks and task times, kept current by {@link BoardOverview.refresh}. */
export interface BoardOverview {
  /** Every task of every session (null until the first answer). */
  tasks: BoardTask[] | null;
  /** Task times by task key (empty until the first answer). */
  times: Map<string, TaskTimes>;
  tasksError: AppError | null;
  timesError: AppError | null;
  /** Refetches what a burst of events touched: one session's lists, or everything. */
  refresh: (plan: RefetchPlan) => void;
}

type Scope = { all: true } | { session: string };

/**
 * Backs the views that span sessions (activity feed, notifications, search, timeline times).
 * A change to one session refetches only that session's tasks and times.
 */
export function useBoardOverview(): BoardOverview {
  const { client } = useHost();
  const [tasks, setTasks] = useState<Grouped<BoardTask> | null>(null);
  const [times, setTimes] = useState<Grouped<TaskTimes>>(() => emptyGrouped());
  const [tasksError, setTasksError] = useState<AppError | null>(null);
  const [timesError, setTimesError] = useState<AppError | null>(null);
  const generation = useRef(0);

  const load = useCallback(
    (scope: Scope) => {
      generation.current += 1;
      const current = generation.current;
      const taskRequest: Promise<BoardTask[]> =
        "all" in scope
          ? client.boardAllTasks(null)
          : client.boardSessionTasks(scope.session, null).then((list) => list.map((task) => ({ ...task, sessionId: scope.session })));
      taskRequest.then(
        (list) => {
          setTasks((previous) => mergeGrouped(previous ?? emptyGrouped(), current, scope, list));
          setTasksError(null);
        },
        (cause: unknown) => {
          setTasksError(asAppError(cause));
        },
      );
      client.boardTaskTimes("all" in scope ? null : scope.session).then(
        (list) => {
          setTimes((previous) => mergeGrouped(previous, current, scope, list));
          setTimesError(null);
        },
        (cause: unknown) => {
          setTimesError(asAppError(cause));
        },
      );
    },
    [client],
  );

  useEffect(() => {
    load({ all: true });
  }, [load]);

  const refresh = useCallback(
    (plan: RefetchPlan) => {
      if (plan.all) load({ all: true });
      else for (const session of plan.sessions) load({ session });
    },
    [load],
  );

  const flatTasks = useMemo(() => (tasks === null ? null : flatten(tasks)), [tasks]);
  const timeMap = useMemo(() => timesByTask(flatten(times)), [times]);
  return { tasks: flatTasks, times: timeMap, tasksError, timesError, refresh };
}
