import type { FlowEvent } from "@flow/bindings";

// Events come off the wire as untyped JSON; only known shapes reach the UI, so a newer core
// that adds event types does not break an older UI.
export function parseFlowEvent(value: unknown): FlowEvent | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  switch (record.type) {
    case "connected":
      return { type: "connected" };
    case "resync":
      return { type: "resync" };
    case "settings-changed":
      if (typeof record.settings !== "object" || record.settings === null) return null;
      return value as FlowEvent;
    default:
      return null;
  }
}
