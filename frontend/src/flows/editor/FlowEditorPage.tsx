/** The flow editor (canvas, DSL view, inspector, revisions) for one saved flow. */
export function FlowEditorPage() {
  return <main className="page">Loading editor…</main>;
}
