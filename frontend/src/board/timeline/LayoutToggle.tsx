/** How the board lays out a view's tasks. */
export type BoardLayout = "kanban" | "timeline";

export function layoutFrom(params: URLSearchParams): BoardLayout {
  return params.get("layout") === "timeline" ? "timeline" : "kanban";
}

/** The Kanban / Timeline switch above the tasks. */
export function LayoutToggle({ layout, onChange }: { layout: BoardLayout; onChange: (layout: BoardLayout) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Layout">
      <button
        type="button"
        aria-pressed={layout === "kanban"}
        onClick={() => {
          onChange("kanban");
        }}
      >
        Kanban
      </button>
      <button
        type="button"
        aria-pressed={layout === "timeline"}
        onClick={() => {
          onChange("timeline");
        }}
      >
        Timeline
      </button>
    </div>
  );
}
