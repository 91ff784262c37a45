import type { AppError, FlowDocument, InterceptDecision, MonitorInterception } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useHost } from "../../host";
import { initialRunAgentic, isOpen, reduceRunAgentic, withInterception, type RunAgenticState } from "./interception-logic";

/** What the editor gets from `useRunAgentic`. */
export interface RunAgentic {
  state: RunAgenticState | null;
  /** A decision is on its way. */
  busy: boolean;
  /** A decision the core refused (the dialog stays open). */
  error: AppError | null;
  /** Decides the open interception. */
  decide: (interceptionId: string, decision: InterceptDecision) => void;
}

/**
 * The flow's monitor in run `executionId`: interceptions, the fix as it streams, the budgets of
 * an autonomous run. Live from the host's `agentic` events (SSE or IPC alike), caught up from the
 * stored interceptions when the run is opened while one is waiting.
 */
export function useRunAgentic(executionId: string | null, onFixed: (doc: FlowDocument) => void): RunAgentic {
  const host = useHost();
  const fixedRef = useRef(onFixed);
  useEffect(() => {
    fixedRef.current = onFixed;
  });
  const { client } = host;
  const [state, setState] = useState<RunAgenticState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    if (executionId === null) return undefined;
    // State of an earlier run is replaced on this run's first change.
    const update = (change: (state: RunAgenticState) => RunAgenticState) => {
      setState((current) => change(current?.executionId === executionId ? current : initialRunAgentic(executionId)));
    };
    const unsubscribe = host.subscribe((event) => {
      update((current) => reduceRunAgentic(current, event));
    });
    let cancelled = false;
    const catchUp = (list: MonitorInterception[]) => {
      if (cancelled) return;
      update((current) => list.reduceRight((s, i) => (s.interceptions[i.id] !== undefined ? s : withInterception(s, i)), current));
      for (const open of list.filter(isOpen)) {
        if (open.proposalId == null) continue;
        client.agenticProposal(open.proposalId).then(
          (proposal) => {
            if (!cancelled) update((current) => ({ ...current, proposals: { ...current.proposals, [proposal.id]: proposal } }));
          },
          () => undefined,
        );
      }
    };
    client.agenticInterceptions({ executionId }).then(catchUp, () => undefined);
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [host, client, executionId]);

  const decide = useCallback(
    (interceptionId: string, decision: InterceptDecision) => {
      setBusy(true);
      setError(null);
      client.agenticInterceptDecide(interceptionId, decision).then(
        (decided) => {
          setBusy(false);
          setState((current) => (current === null ? current : withInterception(current, decided)));
          // The fix is a new revision of the flow on screen: the editor moves to it.
          if (decided.status === "fixed") {
            client.flowGet(decided.flowSlug).then(
              (doc) => {
                fixedRef.current(doc);
              },
              () => undefined,
            );
          }
        },
        (cause: unknown) => {
          setBusy(false);
          setError(asAppError(cause));
        },
      );
    },
    [client],
  );

  const shown = executionId === null ? null : state?.executionId === executionId ? state : initialRunAgentic(executionId);
  return { state: shown, busy, error, decide };
}
