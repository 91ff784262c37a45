import type { PrivacyPreview as Preview, PrivacyRule } from "@flow/bindings";
import { useId, useState } from "react";
import { asAppError, useHost } from "../host";
import { previewRequest, previewSegments } from "./privacy-rules";

type State =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "done"; preview: Preview }
  | { kind: "error"; message: string };

/** Paste text, see what a model would get: the sanitized text and each replacement, using the
 * rules as they stand in the form (saved or not). */
export function PrivacyPreview({ rules }: { rules: readonly PrivacyRule[] }) {
  const { client } = useHost();
  const [text, setText] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });
  const inputId = useId();

  async function run() {
    const request = previewRequest(text, rules);
    if (!request.ok) {
      setState({ kind: "error", message: request.error });
      return;
    }
    setState({ kind: "running" });
    try {
      setState({ kind: "done", preview: await client.privacyPreview(request.text, request.rules) });
    } catch (cause) {
      setState({ kind: "error", message: asAppError(cause).error });
    }
  }

  return (
    <section className="privacy-preview" aria-labelledby={`${inputId}-title`}>
      <h3 id={`${inputId}-title`}>Preview</h3>
      <label htmlFor={inputId} className="muted">
        Text to preview, sanitized with the rules above (saved or not)
      </label>
      <textarea
        id={inputId}
        rows={5}
        spellCheck={false}
        value={text}
        placeholder="password=hunter2 on db-01.corp for alice@acme.io"
        onChange={(event) => {
          setText(event.target.value);
        }}
      />
      <div className="privacy-preview-actions">
        <button
          type="button"
          disabled={state.kind === "running"}
          onClick={() => {
            void run();
          }}
        >
          {state.kind === "running" ? "Previewing…" : "Preview"}
        </button>
      </div>
      {state.kind === "error" && (
        <p className="error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === "done" && <PreviewResult preview={state.preview} />}
    </section>
  );
}

function PreviewResult({ preview }: { preview: Preview }) {
  return (
    <>
      <h4>What a model sees</h4>
      <pre className="privacy-preview-text" aria-label="Sanitized text">
        {previewSegments(preview.text, preview.replacements).map((segment, index) =>
          "replacement" in segment ? (
            // Segments are recomputed together with the text; their position is their identity.
            <mark key={index} title={segment.replacement.original}>
              {segment.text}
            </mark>
          ) : (
            <span key={index}>{segment.text}</span>
          ),
        )}
      </pre>
      {preview.replacements.length === 0 ? (
        <p className="muted">Nothing was replaced.</p>
      ) : (
        <table className="flow-table privacy-replacements" aria-label="Replacements">
          <thead>
            <tr>
              <th scope="col">Placeholder</th>
              <th scope="col">Kind</th>
              <th scope="col">Original</th>
            </tr>
          </thead>
          <tbody>
            {preview.replacements.map((replacement) => (
              <tr key={replacement.placeholder}>
                <td>
                  <code>{replacement.placeholder}</code>
                </td>
                <td>{replacement.kind}</td>
                <td className="privacy-original">{replacement.original}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
