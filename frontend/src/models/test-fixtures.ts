import type { LlmStatus, LoadedModel } from "@flow/bindings";

/** A resident model as `llm_status` reports it; override what a test is about. */
export function loadedModel(model: string, overrides: Partial<LoadedModel> = {}): LoadedModel {
  return {
    model,
    sizeBytes: 253_000_000,
    parameters: 268_000_000,
    contextLength: 32_768,
    params: {},
    loadedAt: "2026-11-24T10:00:00Z",
    lastUsedAt: "2026-11-24T10:01:00Z",
    activeRequests: 0,
    ...overrides,
  };
}

/** An idle runtime with nothing loaded; override what a test is about. */
export function llmStatus(overrides: Partial<LlmStatus> = {}): LlmStatus {
  return {
    enabled: true,
    loaded: [],
    maxLoadedModels: 2,
    endpoint: "/v1",
    memory: { residentBytes: 0, budgetBytes: 8_000_000_000 },
    generating: 0,
    queued: 0,
    ...overrides,
  };
}
