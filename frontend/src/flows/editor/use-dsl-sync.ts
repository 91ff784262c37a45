import type { FlowGraph } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useHost } from "../../host";
import { jsonEqual } from "./graph-ops";
import { dslProblemFrom, mergeDslGraph, type DslProblem } from "./dsl-sync";

export const PARSE_DELAY_MS = 300;

export type FlushResult = { ok: true; graph: FlowGraph | null } | { ok: false };

export interface DslSync {
  text: string;
  problem: DslProblem | null;
  /** The text was edited and has not been applied to the graph yet. */
  pending: boolean;
  loading: boolean;
  edit: (text: string) => void;
  /** Parses pending text now; the applied graph (or null when nothing changed) on success. */
  flush: () => Promise<FlushResult>;
  /** Drops unapplied text; the next activation serialises the graph again. */
  discard: () => void;
}

/**
 * Keeps DSL text and the graph in step while `active`: the graph is serialised on entry (and
 * again when it changes from outside, e.g. undo); edits are parsed after a pause and applied as
 * one undo step, positions merged.
 */
export function useDslSync(graph: FlowGraph | null, active: boolean, apply: (graph: FlowGraph) => void): DslSync {
  const { client } = useHost();
  const [text, setText] = useState("");
  const [synced, setSynced] = useState<FlowGraph | null>(null);
  const [problem, setProblem] = useState<DslProblem | null>(null);
  const [pending, setPending] = useState(false);
  const graphRef = useRef(graph);
  const textRef = useRef(text);
  const applyRef = useRef(apply);
  const parseRequest = useRef(0);
  useEffect(() => {
    graphRef.current = graph;
    textRef.current = text;
    applyRef.current = apply;
  });

  const serializeNeeded = active && graph !== null && !pending && graph !== synced;
  useEffect(() => {
    if (!serializeNeeded) return;
    let cancelled = false;
    client.dslSerialize(graph).then(
      (source) => {
        if (cancelled) return;
        setText(source);
        setSynced(graph);
        setProblem(null);
      },
      (cause: unknown) => {
        if (cancelled) return;
        setSynced(graph);
        setProblem({ line: null, column: null, message: `Could not show the DSL: ${asAppError(cause).error}` });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, graph, serializeNeeded]);

  const parseNow = useCallback(
    async (source: string): Promise<FlushResult> => {
      parseRequest.current += 1;
      const mine = parseRequest.current;
      try {
        const parsed = await client.dslParse(source);
        if (parseRequest.current !== mine) return { ok: false };
        const current = graphRef.current;
        if (current === null) return { ok: false };
        const merged = mergeDslGraph(current, parsed);
        const changed = !jsonEqual(merged, current);
        if (changed) applyRef.current(merged);
        setSynced(changed ? merged : current);
        setProblem(null);
        if (textRef.current === source) setPending(false);
        return { ok: true, graph: changed ? merged : null };
      } catch (cause) {
        if (parseRequest.current === mine) setProblem(dslProblemFrom(asAppError(cause)));
        return { ok: false };
      }
    },
    [client],
  );

  useEffect(() => {
    if (!active || !pending) return;
    const timer = setTimeout(() => {
      void parseNow(text);
    }, PARSE_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [active, pending, text, parseNow]);

  // Leaving the DSL view forgets the sync point, so coming back serialises afresh.
  useEffect(() => {
    if (active) return;
    const timer = setTimeout(() => {
      setSynced(null);
    }, 0);
    return () => {
      clearTimeout(timer);
    };
  }, [active]);

  const edit = useCallback((next: string) => {
    setText(next);
    textRef.current = next;
    setPending(true);
  }, []);

  const flush = useCallback(async (): Promise<FlushResult> => {
    if (!pending) return { ok: true, graph: null };
    return parseNow(textRef.current);
  }, [pending, parseNow]);

  const discard = useCallback(() => {
    parseRequest.current += 1;
    setPending(false);
    setProblem(null);
    setSynced(null);
  }, []);

  return { text, problem, pending, loading: active && synced === null && problem === null, edit, flush, discard };
}
