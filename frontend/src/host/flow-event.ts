import type { FileChange, FlowEvent } from "@flow/bindings";

const FILE_CHANGES: readonly string[] = ["add", "change", "unlink"] satisfies FileChange[];

function optionalString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === "string";
}

function nullableString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

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
    case "update": {
      const { event, sessionId, file } = record;
      if (typeof event !== "string" || !FILE_CHANGES.includes(event)) return null;
      if (!optionalString(sessionId) || !optionalString(file)) return null;
      return { type: "update", event: event as FileChange, sessionId: sessionId ?? null, file: file ?? null };
    }
    case "metadata-update":
      return { type: "metadata-update" };
    case "agent-status": {
      const { agent, status, task } = record;
      if (!optionalString(agent) || !optionalString(status) || !optionalString(task)) return null;
      return { type: "agent-status", agent: nullableString(agent), status: nullableString(status), task: nullableString(task) };
    }
    case "feature-update": {
      const { featureId, change } = record;
      if (typeof featureId !== "number" || !Number.isFinite(featureId) || typeof change !== "string") return null;
      return { type: "feature-update", featureId, change };
    }
    case "flows-changed": {
      const { slug, revision, change } = record;
      if (!optionalString(slug) || typeof change !== "string") return null;
      if (revision !== undefined && revision !== null && (typeof revision !== "number" || !Number.isFinite(revision))) return null;
      return { type: "flows-changed", slug: slug ?? null, revision: typeof revision === "number" ? revision : null, change };
    }
    case "nodes-changed": {
      const { slug, change } = record;
      if (typeof slug !== "string" || typeof change !== "string") return null;
      return { type: "nodes-changed", slug, change };
    }
    case "execution": {
      const { execution_id: executionId, kind, seq, at } = record;
      if (typeof executionId !== "string" || typeof kind !== "string" || typeof seq !== "number" || typeof at !== "string") return null;
      return value as FlowEvent;
    }
    case "schedules-changed":
      if (typeof record.slug !== "string") return null;
      return { type: "schedules-changed", slug: record.slug };
    default:
      return null;
  }
}
