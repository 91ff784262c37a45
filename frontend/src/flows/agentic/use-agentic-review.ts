import type { AppError, FlowDocument, Proposal } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useHost } from "../../host";
import { reduceReview, startReview, withProposal, type ReviewState } from "./agentic-logic";

/** What the editor gets from `useAgenticReview`. */
export interface AgenticReview {
  /** The open review, or null. */
  state: ReviewState | null;
  /** A failed accept or reject (the review stays open). */
  actionError: AppError | null;
  /** Asks the model for a flow for the agentic node `nodeId` of the saved flow. */
  generate: (nodeId: string) => void;
  /** Accepts the proposal; `onApplied` gets the saved flow. */
  accept: () => void;
  /** Rejects the proposal and closes the review. */
  reject: () => void;
  /** Closes the review (a pending proposal stays pending in the core). */
  close: () => void;
  /** A generated flow still waiting for a decision while no review is open (e.g. after Hide). */
  pending: Proposal | null;
  /** Opens the review of `pending`. */
  reopen: () => void;
}

/**
 * The agentic review of one saved flow: a generation streaming in over the host's events, then
 * the proposal to accept (the flow is saved with it) or reject. Works the same over IPC and HTTP:
 * both push the core's `agentic` events.
 */
export function useAgenticReview(slug: string, onApplied: (doc: FlowDocument) => void): AgenticReview {
  const host = useHost();
  const { client } = host;
  const [state, setState] = useState<ReviewState | null>(null);
  const [actionError, setActionError] = useState<AppError | null>(null);
  const appliedRef = useRef(onApplied);
  useEffect(() => {
    appliedRef.current = onApplied;
  });

  // Generations of this flow still waiting for a person, kept current from the live events.
  const [waiting, setWaiting] = useState<Proposal | null>(null);
  useEffect(() => {
    let cancelled = false;
    const refresh = () => {
      client.agenticProposals(slug).then(
        (list) => {
          if (!cancelled) setWaiting(list.find((p) => p.kind === "generation" && p.status === "pending") ?? null);
        },
        () => undefined,
      );
    };
    refresh();
    const unsubscribe = host.subscribe((event) => {
      if (event.type === "agentic" && event.flowSlug === slug && (event.phase === "proposed" || event.phase === "resolved")) refresh();
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [host, client, slug]);

  const generating = state?.phase === "generating";
  useEffect(() => {
    if (!generating) return undefined;
    return host.subscribe((event) => {
      setState((current) => (current === null ? current : reduceReview(current, event)));
    });
  }, [host, generating]);

  const generate = useCallback(
    (nodeId: string) => {
      setActionError(null);
      setState(startReview(slug, nodeId));
      client.agenticGenerate(slug, nodeId, null).then(
        (proposal) => {
          setState((current) => (current === null ? current : withProposal(current, proposal)));
        },
        (cause: unknown) => {
          const error = asAppError(cause);
          setState((current) => (current === null ? current : { ...current, phase: "failed", error: error.error }));
        },
      );
    },
    [client, slug],
  );

  const decide = useCallback(
    (accepted: boolean) => {
      const proposal = state?.proposal;
      if (proposal == null) return;
      setActionError(null);
      setState((current) => (current === null ? current : { ...current, phase: "applying" }));
      const call = accepted
        ? client.agenticAccept(proposal.id).then((doc) => {
            appliedRef.current(doc);
          })
        : client.agenticReject(proposal.id).then(() => undefined);
      call.then(
        () => {
          setState(null);
        },
        (cause: unknown) => {
          setActionError(asAppError(cause));
          setState((current) => (current === null ? current : { ...current, phase: "review" }));
        },
      );
    },
    [client, state],
  );

  return {
    state,
    actionError,
    generate,
    accept: useCallback(() => {
      decide(true);
    }, [decide]),
    reject: useCallback(() => {
      decide(false);
    }, [decide]),
    close: useCallback(() => {
      setState(null);
      setActionError(null);
    }, []),
    pending: state === null ? waiting : null,
    reopen: useCallback(() => {
      if (waiting === null) return;
      setActionError(null);
      setState(withProposal(startReview(slug, waiting.nodeId), waiting));
    }, [slug, waiting]),
  };
}
