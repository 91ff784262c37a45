import type { AppError, CatalogEntry, FlowDocument, FlowGraph } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost, useLiveQuery } from "../../host";
import { hasPosition, jsonEqual, nodesOf } from "./graph-ops";
import { createHistory, push, redo as redoStep, seal as sealStep, undo as undoStep, type History } from "./history";
import { layout, layoutOnly } from "./layout";

/**
 * A loaded graph with every node placed. Nodes saved without positions are laid out, and so are
 * nodes stacked on another node's exact position: flows written as DSL or by hand come with
 * every node at the origin, and nobody stacks nodes on purpose.
 */
export function placeNodes(graph: FlowGraph): FlowGraph {
  const nodes = nodesOf(graph);
  const taken = new Set<string>();
  const unplaced = nodes.filter((node) => {
    if (!hasPosition(node)) return true;
    const key = `${node.position.x},${node.position.y}`;
    if (taken.has(key)) return true;
    taken.add(key);
    return false;
  });
  if (unplaced.length === 0) return graph;
  if (unplaced.length >= nodes.length - 1) return layout(graph);
  return layoutOnly(graph, new Set(unplaced.map((node) => node.id)));
}

export interface SaveConflict {
  /** The revision saved elsewhere, when it could be fetched. */
  theirRevision: number | null;
}

export interface FlowDocumentState {
  doc: FlowDocument | null;
  loadError: AppError | null;
  history: History<FlowGraph> | null;
  dirty: boolean;
  saving: boolean;
  saveError: AppError | null;
  conflict: SaveConflict | null;
  /** A newer revision saved elsewhere (from a flows-changed event), not yet dismissed. */
  remoteRevision: number | null;
  reload: () => void;
  apply: (graph: FlowGraph, coalesceKey?: string | null) => void;
  undo: () => void;
  redo: () => void;
  seal: () => void;
  save: (graph?: FlowGraph) => void;
  overwrite: () => void;
  dismissConflict: () => void;
  dismissRemote: () => void;
  dismissSaveError: () => void;
  /** Takes a document the core returned (e.g. after a restore) as the loaded one. */
  adopt: (doc: FlowDocument) => void;
}

/** Loads, edits (with undo history) and saves one flow document. */
export function useFlowDocument(slug: string): FlowDocumentState {
  const { client } = useHost();
  const [doc, setDoc] = useState<FlowDocument | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [history, setHistory] = useState<History<FlowGraph> | null>(null);
  const [savedGraph, setSavedGraph] = useState<FlowGraph | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<AppError | null>(null);
  const [conflict, setConflict] = useState<SaveConflict | null>(null);
  const [seenRemote, setSeenRemote] = useState<number | null>(null);
  const [dismissedRemote, setDismissedRemote] = useState<number | null>(null);
  const request = useRef(0);

  const adopt = useCallback((next: FlowDocument) => {
    const graph = placeNodes(next.graph);
    setDoc(next);
    setHistory(createHistory(graph));
    setSavedGraph(graph);
    setLoadError(null);
    setConflict(null);
    setSaveError(null);
  }, []);

  const reload = useCallback(() => {
    request.current += 1;
    const mine = request.current;
    client.flowGet(slug).then(
      (next) => {
        if (request.current === mine) adopt(next);
      },
      (cause: unknown) => {
        if (request.current === mine) setLoadError(asAppError(cause));
      },
    );
  }, [client, slug, adopt]);

  useEffect(() => {
    reload();
  }, [reload]);

  useFlowEvents((event) => {
    if (event.type !== "flows-changed" || event.slug !== slug) return;
    const revision = event.revision;
    if (typeof revision === "number") setSeenRemote((seen) => (seen === null || revision > seen ? revision : seen));
  });

  const present = history?.present ?? null;
  const dirty = present !== null && savedGraph !== null && present !== savedGraph && !jsonEqual(present, savedGraph);

  const apply = useCallback((graph: FlowGraph, coalesceKey: string | null = null) => {
    setHistory((h) => (h === null ? h : push(h, graph, coalesceKey)));
  }, []);
  const undo = useCallback(() => {
    setHistory((h) => (h === null ? h : undoStep(h)));
  }, []);
  const redo = useCallback(() => {
    setHistory((h) => (h === null ? h : redoStep(h)));
  }, []);
  const seal = useCallback(() => {
    setHistory((h) => (h === null ? h : sealStep(h)));
  }, []);

  const saveWith = useCallback(
    (graph: FlowGraph, baseRevision: number) => {
      setSaving(true);
      setSaveError(null);
      client.flowSave({ slug, baseRevision, collection: null, graph }).then(
        (saved) => {
          setSaving(false);
          setDoc(saved);
          setSavedGraph(graph);
          setConflict(null);
        },
        (cause: unknown) => {
          const error = asAppError(cause);
          if (error.kind !== "Conflict") {
            setSaving(false);
            setSaveError(error);
            return;
          }
          client.flowGet(slug).then(
            (theirs) => {
              setSaving(false);
              setConflict({ theirRevision: theirs.revision });
            },
            () => {
              setSaving(false);
              setConflict({ theirRevision: null });
            },
          );
        },
      );
    },
    [client, slug],
  );

  const save = useCallback(
    (graph?: FlowGraph) => {
      const toSave = graph ?? present;
      if (doc === null || toSave === null || saving) return;
      saveWith(toSave, doc.revision);
    },
    [doc, present, saving, saveWith],
  );

  /** After an explicit click in the conflict dialog: refetch the newest revision, save over it. */
  const overwrite = useCallback(() => {
    if (present === null) return;
    setSaving(true);
    client.flowGet(slug).then(
      (theirs) => {
        setDoc((d) => (d === null ? d : { ...d, revision: theirs.revision }));
        saveWith(present, theirs.revision);
      },
      (cause: unknown) => {
        setSaving(false);
        setSaveError(asAppError(cause));
      },
    );
  }, [client, slug, present, saveWith]);

  const remoteRevision =
    seenRemote !== null && doc !== null && seenRemote > doc.revision && seenRemote !== dismissedRemote ? seenRemote : null;

  return {
    doc,
    loadError,
    history,
    dirty,
    saving,
    saveError,
    conflict,
    remoteRevision,
    reload,
    apply,
    undo,
    redo,
    seal,
    save,
    overwrite,
    adopt,
    dismissConflict: useCallback(() => {
      setConflict(null);
    }, []),
    dismissRemote: useCallback(() => {
      setDismissedRemote(seenRemote);
    }, [seenRemote]),
    dismissSaveError: useCallback(() => {
      setSaveError(null);
    }, []),
  };
}

/**
 * The installed catalog entries (the palette), refreshed when the Node Hub changes them;
 * `loaded` stays false until the first answer (or error), so nodes are not shown as
 * unsupported while the catalog is still on its way.
 */
export function useInstalledNodes(): { entries: readonly CatalogEntry[]; loaded: boolean; error: AppError | null } {
  const { data, error } = useLiveQuery(
    (client) => client.nodesInstalled(),
    (event) => event.type === "nodes-changed",
  );
  return { entries: data ?? NO_ENTRIES, loaded: data !== null || error !== null, error };
}

const NO_ENTRIES: readonly CatalogEntry[] = [];
