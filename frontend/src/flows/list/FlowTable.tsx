import type { Collection, FlowSummary } from "@flow/bindings";
import { useNow } from "../../ui/use-debounced-value";
import { FlowRow } from "./FlowRow";

/** The saved flows of the current selection. */
export function FlowTable({
  flows,
  collections,
  stale,
  onChanged,
}: {
  flows: FlowSummary[];
  collections: Collection[] | null;
  stale: boolean;
  onChanged: () => void;
}) {
  const now = useNow();
  return (
    <div className="flow-table-wrap">
      <table className="flow-table" aria-label="Flows" aria-busy={stale}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Collection</th>
            <th scope="col">Updated</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {flows.map((flow) => (
            <FlowRow key={flow.slug} flow={flow} collections={collections} now={now} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
