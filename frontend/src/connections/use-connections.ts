import type { AppError, Connection } from "@flow/bindings";
import { useLiveQuery } from "../host";
import { touchesConnections } from "./connections-logic";

/**
 * Every connection (metadata only), refetched on `connections-changed` and `resync`; with
 * `followFlows`, also on flow changes, for views that show which flows use each one (listing
 * those reads every saved flow, so the editor's picker does not ask on each save).
 */
export function useConnections(followFlows = false): { connections: Connection[] | null; error: AppError | null; reload: () => void } {
  const { data, error, reload } = useLiveQuery(
    (client) => client.connectionsList(),
    (event) => (followFlows ? touchesConnections(event) : event.type === "connections-changed"),
  );
  return { connections: data, error, reload };
}
