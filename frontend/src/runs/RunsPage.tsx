import { useParams, useSearchParams } from "react-router";
import { SchedulesView } from "../schedules/SchedulesView";
import { RunDetailPage } from "./RunDetailPage";
import { RunList } from "./RunList";

/** `/runs` (history, or schedules with `?view=schedules`) and `/runs/:executionId` (one run). */
export function RunsPage() {
  const { executionId } = useParams();
  if (executionId !== undefined && executionId !== "") return <RunDetailPage key={executionId} executionId={executionId} />;
  return <RunsIndex />;
}

export default RunsPage;

function RunsIndex() {
  const [params, setParams] = useSearchParams();
  const view = params.get("view") === "schedules" ? "schedules" : "history";
  const choose = (next: "history" | "schedules") => {
    const updated = new URLSearchParams(params);
    if (next === "schedules") updated.set("view", "schedules");
    else updated.delete("view");
    setParams(updated, { replace: true });
  };
  return (
    <div className="page runs-page">
      <h1>Runs</h1>
      <div className="fe-segmented runs-tabs" role="tablist" aria-label="Runs view">
        <button
          type="button"
          role="tab"
          aria-selected={view === "history"}
          className={view === "history" ? "active" : undefined}
          onClick={() => {
            choose("history");
          }}
        >
          History
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={view === "schedules"}
          className={view === "schedules" ? "active" : undefined}
          onClick={() => {
            choose("schedules");
          }}
        >
          Schedules
        </button>
      </div>
      <div role="tabpanel" aria-label={view === "history" ? "History" : "Schedules"}>
        {view === "history" ? <RunList /> : <SchedulesView />}
      </div>
    </div>
  );
}
