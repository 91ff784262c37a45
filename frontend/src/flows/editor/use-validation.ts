import type { AppError, FlowGraph, ValidationReport } from "@flow/bindings";
import { useEffect, useState } from "react";
import { asAppError, useHost } from "../../host";

export const VALIDATE_DELAY_MS = 300;

/** Validates `graph` on the core, debounced; the newest answer wins. */
export function useValidation(graph: FlowGraph | null): { report: ValidationReport | null; error: AppError | null } {
  const { client } = useHost();
  const [result, setResult] = useState<{ graph: FlowGraph; report: ValidationReport | null; error: AppError | null } | null>(null);
  useEffect(() => {
    if (graph === null) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      client.flowValidate(graph).then(
        (report) => {
          if (!cancelled) setResult({ graph, report, error: null });
        },
        (cause: unknown) => {
          if (!cancelled) setResult({ graph, report: null, error: asAppError(cause) });
        },
      );
    }, VALIDATE_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, graph]);
  // An older report stays shown while the next one is computed (no flicker while typing).
  return { report: result?.report ?? null, error: result?.error ?? null };
}
