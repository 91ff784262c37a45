import { useState } from "react";
import { Link } from "react-router";
import { asAppError, useHost } from "../../host";
import { errorText } from "../../ui/error-text";
import { classifyImportFile, flowPath, importSummary, singleImported, type ImportOutcome } from "./flows-logic";

/** The "Import flows" file picker: each `.flow` / `.flow.json` file becomes a new flow. */
export function ImportFlows({ collection, onImported }: { collection: string | null; onImported: () => void }) {
  const { client } = useHost();
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<ImportOutcome[] | null>(null);

  const importOne = async (file: File): Promise<ImportOutcome> => {
    if (classifyImportFile(file.name) === null) {
      return { fileName: file.name, ok: false, message: "Not a flow file: use .flow or .flow.json." };
    }
    try {
      const text = await file.text();
      const saved = await client.flowImport(file.name, text, collection);
      return { fileName: file.name, ok: true, slug: saved.slug, name: saved.graph.name };
    } catch (cause: unknown) {
      return { fileName: file.name, ok: false, message: errorText(asAppError(cause)) };
    }
  };

  const importFiles = async (files: File[]) => {
    setBusy(true);
    setOutcomes(null);
    const results: ImportOutcome[] = [];
    // One at a time, so the server's slug de-duplication sees each earlier import.
    for (const file of files) results.push(await importOne(file));
    setBusy(false);
    setOutcomes(results);
    if (results.some((result) => result.ok)) onImported();
  };

  const opened = outcomes === null ? null : singleImported(outcomes);

  return (
    <>
      <label className={`file-button${busy ? " busy" : ""}`}>
        Import flows
        <input
          className="visually-hidden"
          type="file"
          accept=".flow,.json,.flow.json"
          multiple
          disabled={busy}
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            // Clear it so picking the same file again imports it again.
            event.target.value = "";
            if (files.length > 0) void importFiles(files);
          }}
        />
      </label>
      {busy && (
        <p className="muted import-status" role="status">
          Importing…
        </p>
      )}
      {outcomes !== null && (
        <div className="import-results card" role="status" aria-label="Import results">
          <div className="import-results-header">
            <strong>Import: {importSummary(outcomes)}</strong>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss import results"
              onClick={() => {
                setOutcomes(null);
              }}
            >
              ×
            </button>
          </div>
          <ul>
            {outcomes.map((outcome, index) => (
              <li key={`${index}-${outcome.fileName}`} className={outcome.ok ? "import-ok" : "import-failed"}>
                <span className="import-file">{outcome.fileName}</span>:{" "}
                {outcome.ok ? (
                  <>imported as “{outcome.name}”</>
                ) : (
                  <span className="error import-error">{outcome.message}</span>
                )}
              </li>
            ))}
          </ul>
          {opened !== null && (
            <Link className="open-imported" to={flowPath(opened.slug)}>
              Open “{opened.name}”
            </Link>
          )}
        </div>
      )}
    </>
  );
}
