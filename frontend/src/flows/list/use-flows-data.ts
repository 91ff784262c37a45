import type { AppError, Collection, FlowSummary } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost } from "../../host";
import { listQuery, sortCollections, touchesFlows } from "./flows-logic";

/** Bursts of change events become one refetch after this quiet time. */
const EVENT_SETTLE_MS = 150;

export interface FlowsData {
  collections: Collection[] | null;
  collectionsError: AppError | null;
  flows: FlowSummary[] | null;
  /** The list on screen answers an older query (a new one is on its way). */
  flowsStale: boolean;
  flowsError: AppError | null;
  reload: () => void;
}

/** Collections and the flows of one selection/search, kept fresh by `flows-changed` and `resync`. */
export function useFlowsData(collection: string, search: string): FlowsData {
  const { client } = useHost();
  const key = `${collection}\n${search}`;
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [collectionsError, setCollectionsError] = useState<AppError | null>(null);
  const [flows, setFlows] = useState<{ key: string; list: FlowSummary[] } | null>(null);
  const [flowsError, setFlowsError] = useState<AppError | null>(null);

  const collectionsRequest = useRef(0);
  const loadCollections = useCallback(() => {
    collectionsRequest.current += 1;
    const request = collectionsRequest.current;
    client.collectionsList().then(
      (next) => {
        if (collectionsRequest.current !== request) return;
        setCollections(sortCollections(next));
        setCollectionsError(null);
      },
      (cause: unknown) => {
        if (collectionsRequest.current !== request) return;
        setCollectionsError(asAppError(cause));
      },
    );
  }, [client]);

  // Only the answer to the newest query may land (typing fires several).
  const flowsRequest = useRef(0);
  const loadFlows = useCallback(() => {
    flowsRequest.current += 1;
    const request = flowsRequest.current;
    client.flowsList(listQuery(collection, search)).then(
      (list) => {
        if (flowsRequest.current !== request) return;
        setFlows({ key, list });
        setFlowsError(null);
      },
      (cause: unknown) => {
        if (flowsRequest.current !== request) return;
        setFlowsError(asAppError(cause));
      },
    );
  }, [client, collection, search, key]);

  useEffect(loadCollections, [loadCollections]);
  useEffect(loadFlows, [loadFlows]);

  const reload = useCallback(() => {
    loadCollections();
    loadFlows();
  }, [loadCollections, loadFlows]);

  const reloadRef = useRef(reload);
  useEffect(() => {
    reloadRef.current = reload;
  });
  const settleTimer = useRef<number | null>(null);
  useEffect(
    () => () => {
      if (settleTimer.current !== null) window.clearTimeout(settleTimer.current);
    },
    [],
  );
  useFlowEvents((event) => {
    if (!touchesFlows(event)) return;
    if (settleTimer.current !== null) window.clearTimeout(settleTimer.current);
    settleTimer.current = window.setTimeout(() => {
      settleTimer.current = null;
      reloadRef.current();
    }, EVENT_SETTLE_MS);
  });

  return {
    collections,
    collectionsError,
    flows: flows?.list ?? null,
    flowsStale: flows !== null && flows.key !== key,
    flowsError,
    reload,
  };
}
