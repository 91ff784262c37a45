import type { AppError, Connection } from "@flow/bindings";
import { useLiveQuery } from "../host";
import { touchesConnections } from "./connections-logic";

/** Every connection (metadata only), refetched on `connections-changed`, flow changes and `resync`. */
export function useConnections(): { connections: Connection[] | null; error: AppError | null; reload: () => void } {
  const { data, error, reload } = useLiveQuery((client) => client.connectionsList(), touchesConnections);
  return { connections: data, error, reload };
}
