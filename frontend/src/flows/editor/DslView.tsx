import { lazy, Suspense } from "react";
import type { DslSync } from "./use-dsl-sync";

// CodeMirror is only fetched when the DSL view is first opened.
const DslEditor = lazy(() => import("./DslEditor"));

/** The DSL view: the text editor and whether its text parses. */
export function DslView({ dsl }: { dsl: DslSync }) {
  return (
    <section className="fe-dsl" aria-label="DSL">
      {dsl.loading && <p className="muted">Loading DSL…</p>}
      <Suspense fallback={<p className="muted">Loading editor…</p>}>
        <DslEditor value={dsl.text} problem={dsl.problem} onChange={dsl.edit} />
      </Suspense>
      <div className="fe-dsl-status" role="status">
        {dsl.problem !== null ? (
          <span className="error">
            {dsl.problem.line !== null ? `Line ${dsl.problem.line}, column ${dsl.problem.column ?? 1}: ` : ""}
            {dsl.problem.message}
          </span>
        ) : (
          <span className="muted">{dsl.pending ? "Parsing…" : "In sync with the canvas."}</span>
        )}
      </div>
    </section>
  );
}
