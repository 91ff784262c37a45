import type { AppError, FlowGraph, RunStatus } from "@flow/bindings";
import { useCallback, useEffect, useMemo, useState } from "react";
import { asAppError, useHost } from "../host";
import { graphNodeIds, isActive } from "./run-reducer";
import { useRunStream, type RunStream } from "./use-run-stream";

export interface EditorRun extends RunStream {
  executionId: string | null;
  /** The status chip's value: the run's, "running" while it starts, null before any run. */
  status: RunStatus | null;
  active: boolean;
  starting: boolean;
  busy: boolean;
  actionError: AppError | null;
  /** Starts `graph`; `autonomous` lets the flow's monitor apply its fixes within the budgets. */
  start: (graph: FlowGraph, autonomous?: boolean) => void;
  pause: () => void;
  resume: () => void;
  stop: () => void;
  confirm: (nodeId: string, approve: boolean) => void;
  dismissError: () => void;
}

/** Run control for the editor: start the graph on screen, steer it, follow its events. */
export function useEditorRun(slug: string, graph: FlowGraph | null): EditorRun {
  const { client } = useHost();
  const [executionId, setExecutionId] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<AppError | null>(null);
  const nodeIds = useMemo(() => (graph === null ? [] : graphNodeIds(graph)), [graph]);
  const stream = useRunStream(executionId, nodeIds);

  // Reopening a flow whose run is still going follows that run.
  useEffect(() => {
    let cancelled = false;
    client.runsActive().then(
      (runs) => {
        const mine = runs.find((run) => run.flowSlug === slug);
        if (!cancelled && mine !== undefined) setExecutionId((current) => current ?? mine.executionId);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [client, slug]);

  const start = useCallback(
    (toRun: FlowGraph, autonomous = false) => {
      setStarting(true);
      setActionError(null);
      // The slug files the run under this flow; the graph on screen (unsaved edits included) runs.
      client.runStart({ graph: toRun, slug }, autonomous ? { autonomous: true } : null, null).then(
        (started) => {
          setStarting(false);
          setExecutionId(started.executionId);
        },
        (cause: unknown) => {
          setStarting(false);
          setActionError(asAppError(cause));
        },
      );
    },
    [client, slug],
  );

  const steer = useCallback(
    (call: (id: string) => Promise<unknown>) => {
      if (executionId === null) return;
      setBusy(true);
      setActionError(null);
      call(executionId).then(
        () => {
          setBusy(false);
        },
        (cause: unknown) => {
          setBusy(false);
          setActionError(asAppError(cause));
        },
      );
    },
    [executionId],
  );

  const viewStatus = stream.state?.view.status ?? null;
  const status: RunStatus | null = starting ? "running" : executionId !== null ? (viewStatus ?? "running") : null;

  return {
    ...stream,
    executionId,
    status,
    active: starting || isActive(status),
    starting,
    busy,
    actionError,
    start,
    pause: useCallback(() => {
      steer((id) => client.runPause(id));
    }, [steer, client]),
    resume: useCallback(() => {
      steer((id) => client.runResume(id));
    }, [steer, client]),
    stop: useCallback(() => {
      steer((id) => client.runCancel(id));
    }, [steer, client]),
    confirm: useCallback(
      (nodeId: string, approve: boolean) => {
        steer((id) => client.runConfirm(id, nodeId, approve));
      },
      [steer, client],
    ),
    dismissError: useCallback(() => {
      setActionError(null);
    }, []),
  };
}
