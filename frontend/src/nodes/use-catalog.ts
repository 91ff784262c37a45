import type { AppError, CatalogListing } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost } from "../host";
import { touchesNodes } from "./node-hub-logic";

/** The node catalog, refetched on `nodes-changed` and `resync`. */
export function useCatalog(): { catalog: CatalogListing[] | null; error: AppError | null; reload: () => void } {
  const { client } = useHost();
  const [catalog, setCatalog] = useState<CatalogListing[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const request = useRef(0);

  const reload = useCallback(() => {
    request.current += 1;
    const current = request.current;
    client.nodesCatalog().then(
      (next) => {
        if (request.current !== current) return;
        setCatalog(next);
        setError(null);
      },
      (cause: unknown) => {
        if (request.current !== current) return;
        setError(asAppError(cause));
      },
    );
  }, [client]);

  useEffect(reload, [reload]);

  useFlowEvents((event) => {
    if (touchesNodes(event)) reload();
  });

  return { catalog, error, reload };
}
