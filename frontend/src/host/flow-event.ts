import type { AgenticEvent, DownloadStatus, ExecutionEvent, FileChange, FlowEvent } from "@flow/bindings";

const FILE_CHANGES: readonly string[] = ["add", "change", "unlink"] satisfies FileChange[];
const DOWNLOAD_STATUSES: readonly string[] = [
  "downloading",
  "paused",
  "verifying",
  "ready",
  "failed",
  "cancelled",
] satisfies DownloadStatus[];

const AGENTIC_PHASES: readonly string[] = [
  "started",
  "token",
  "proposed",
  "resolved",
  "failed",
  "interception",
  "budget",
  "finished",
] satisfies AgenticEvent["phase"][];

// Rust's f64 fields are `number | null` on the wire (serde writes NaN and infinities as null).
function optionalFiniteNumber(value: unknown): value is number | null | undefined {
  return value === undefined || value === null || (typeof value === "number" && Number.isFinite(value));
}

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
      // The log appends a token's text: a malformed one must not reach it.
      if (kind === "node_token" && (typeof record.node_id !== "string" || typeof record.delta !== "string")) return null;
      return value as FlowEvent;
    }
    case "schedules-changed":
      if (typeof record.slug !== "string") return null;
      return { type: "schedules-changed", slug: record.slug };
    case "model-download": {
      const { id, fileName, status, bytes, total, rateBps, etaSecs, error } = record;
      if (typeof id !== "string" || typeof fileName !== "string") return null;
      if (typeof status !== "string" || !DOWNLOAD_STATUSES.includes(status)) return null;
      if (!optionalFiniteNumber(bytes) || !optionalFiniteNumber(total) || !optionalFiniteNumber(rateBps)) return null;
      if (!optionalFiniteNumber(etaSecs) || !optionalString(error)) return null;
      return {
        type: "model-download",
        id,
        fileName,
        status: status as DownloadStatus,
        bytes: bytes ?? null,
        total: total ?? null,
        rateBps: rateBps ?? null,
        etaSecs: etaSecs ?? null,
        error: error ?? null,
      };
    }
    case "llm-token": {
      const { requestId, model, delta, index } = record;
      if (typeof requestId !== "string" || typeof model !== "string" || typeof delta !== "string") return null;
      if (typeof index !== "number" || !Number.isFinite(index)) return null;
      return { type: "llm-token", requestId, model, delta, index };
    }
    case "llm-changed": {
      const { model, change } = record;
      if (typeof model !== "string" || typeof change !== "string") return null;
      return { type: "llm-changed", model, change };
    }
    case "models-changed": {
      const { fileName, change } = record;
      if (typeof fileName !== "string" || typeof change !== "string") return null;
      return { type: "models-changed", fileName, change };
    }
    case "agentic": {
      const { jobId, flowSlug, nodeId, phase } = record;
      if (typeof jobId !== "string" || typeof flowSlug !== "string" || typeof nodeId !== "string") return null;
      if (typeof phase !== "string" || !AGENTIC_PHASES.includes(phase)) return null;
      // A review appends a token's text and shows a proposal: malformed ones must not reach it.
      if (phase === "token" && typeof record.delta !== "string") return null;
      if (phase === "proposed" && (typeof record.proposal !== "object" || record.proposal === null)) return null;
      if (phase === "failed" && typeof record.error !== "string") return null;
      if (phase === "interception" && (typeof record.interception !== "object" || record.interception === null)) return null;
      if ((phase === "budget" || phase === "finished") && (typeof record.usage !== "object" || record.usage === null)) return null;
      return value as FlowEvent;
    }
    case "connections-changed": {
      const { id, change } = record;
      if (typeof id !== "string" || typeof change !== "string") return null;
      return { type: "connections-changed", id, change };
    }
    default:
      return null;
  }
}

/** A run event as a run follow sends it (bare, not wrapped in `type: execution`), or null. */
export function parseExecutionEvent(value: unknown): ExecutionEvent | null {
  if (typeof value !== "object" || value === null) return null;
  const event = parseFlowEvent({ ...value, type: "execution" });
  return event?.type === "execution" ? event : null;
}
