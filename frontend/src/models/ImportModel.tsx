import type { AppError, InstalledModel } from "@flow/bindings";
import { useEffect, useId, useRef, useState } from "react";
import { asAppError, type ModelImportCapability } from "../host";
import { errorText } from "../ui/error-text";
import { baseName, formatBytes, importNameProblem } from "./models-logic";

type ImportState =
  | { kind: "idle" }
  | { kind: "working"; fileName: string; loaded: number; total: number | null }
  | { kind: "done"; model: InstalledModel }
  | { kind: "failed"; error: string };

/**
 * Adds a GGUF file the user already has, the way the host imports: a chosen file uploaded with
 * progress, or a path on this machine the core reads.
 */
export function ImportModel({
  modelImport,
  onImported,
}: {
  modelImport: ModelImportCapability;
  onImported: (model: InstalledModel) => void;
}) {
  const ids = useId();
  const [state, setState] = useState<ImportState>({ kind: "idle" });
  const [file, setFile] = useState<File | null>(null);
  const [path, setPath] = useState("");
  const abort = useRef<AbortController | null>(null);
  const fileInput = useRef<HTMLInputElement | null>(null);
  const working = state.kind === "working";

  // Leaving the page stops an upload in flight.
  useEffect(
    () => () => {
      abort.current?.abort();
    },
    [],
  );

  const finish = (promise: Promise<InstalledModel>) => {
    promise.then(
      (model) => {
        setState({ kind: "done", model });
        setFile(null);
        setPath("");
        if (fileInput.current !== null) fileInput.current.value = "";
        onImported(model);
      },
      (cause: unknown) => {
        const error: AppError = asAppError(cause);
        setState({ kind: "failed", error: errorText(error) });
      },
    );
  };

  const startUpload = () => {
    if (modelImport.kind !== "upload" || file === null) return;
    const problem = importNameProblem(file.name);
    if (problem !== null) {
      setState({ kind: "failed", error: problem });
      return;
    }
    const controller = new AbortController();
    abort.current = controller;
    setState({ kind: "working", fileName: file.name, loaded: 0, total: file.size });
    finish(
      modelImport.upload(file, file.name, {
        signal: controller.signal,
        onProgress: ({ loaded, total }) => {
          setState((current) => (current.kind === "working" ? { ...current, loaded, total } : current));
        },
      }).finally(() => {
        if (abort.current === controller) abort.current = null;
      }),
    );
  };

  const startPathImport = () => {
    if (modelImport.kind !== "path") return;
    const trimmed = path.trim();
    const problem = trimmed === "" ? "Enter the path of a .gguf file." : importNameProblem(baseName(trimmed));
    if (problem !== null) {
      setState({ kind: "failed", error: problem });
      return;
    }
    setState({ kind: "working", fileName: baseName(trimmed), loaded: 0, total: null });
    finish(modelImport.importFile(trimmed));
  };

  return (
    <div className="models-import card">
      <h3 className="models-import-title">Import a GGUF file</h3>
      {modelImport.kind === "upload" ? (
        <form
          className="models-import-form"
          onSubmit={(event) => {
            event.preventDefault();
            startUpload();
          }}
        >
          <label htmlFor={`${ids}-file`} className="visually-hidden">
            GGUF file to import
          </label>
          <input
            ref={fileInput}
            id={`${ids}-file`}
            type="file"
            accept=".gguf"
            disabled={working}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              if (!working) setState({ kind: "idle" });
            }}
          />
          <button type="submit" className="primary" disabled={working || file === null}>
            Upload
          </button>
          {working && (
            <button
              type="button"
              onClick={() => {
                abort.current?.abort();
              }}
            >
              Cancel upload
            </button>
          )}
        </form>
      ) : (
        <form
          className="models-import-form"
          onSubmit={(event) => {
            event.preventDefault();
            startPathImport();
          }}
        >
          <label htmlFor={`${ids}-path`}>Path</label>
          <input
            id={`${ids}-path`}
            type="text"
            className="models-import-path"
            placeholder="/path/to/model.gguf"
            spellCheck={false}
            value={path}
            disabled={working}
            onChange={(event) => {
              setPath(event.target.value);
            }}
          />
          <button type="submit" className="primary" disabled={working || path.trim() === ""}>
            Import
          </button>
        </form>
      )}
      <ImportStatus state={state} />
    </div>
  );
}

function ImportStatus({ state }: { state: ImportState }) {
  switch (state.kind) {
    case "idle":
      return <p className="muted">The file is copied into Flow’s models folder and checked before it is installed.</p>;
    case "working": {
      const fraction = state.total !== null && state.total > 0 ? Math.min(1, state.loaded / state.total) : null;
      return (
        <div className="models-import-progress">
          <progress aria-label={`Import of ${state.fileName}`} max={1} value={fraction ?? undefined} className="models-progress" />
          <span className="muted">
            {fraction === null
              ? `Importing ${state.fileName}…`
              : fraction >= 1
                ? `Uploaded ${formatBytes(state.total)}; checking the file…`
                : `${formatBytes(state.loaded)} / ${formatBytes(state.total)} (${String(Math.floor(fraction * 100))}%)`}
          </span>
        </div>
      );
    }
    case "done":
      return (
        <p className="saved" role="status">
          Imported {state.model.fileName}
          {typeof state.model.error === "string" ? ` (its header could not be read: ${state.model.error})` : ""}.
        </p>
      );
    case "failed":
      return (
        <p className="error" role="alert">
          {state.error}
        </p>
      );
  }
}
