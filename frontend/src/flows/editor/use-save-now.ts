import type { FlowGraph } from "@flow/bindings";
import { useCallback } from "react";
import type { EditorMode } from "./Toolbar";
import type { DslSync } from "./use-dsl-sync";

/** Saves the flow; in the DSL view pending text is parsed first, and nothing is saved when it does not parse. */
export function useSaveNow(mode: EditorMode, dsl: DslSync, save: (graph?: FlowGraph) => void): () => void {
  return useCallback(() => {
    if (mode === "dsl" && dsl.pending) {
      void dsl.flush().then((result) => {
        if (result.ok) save(result.graph ?? undefined);
      });
      return;
    }
    save();
  }, [mode, dsl, save]);
}
