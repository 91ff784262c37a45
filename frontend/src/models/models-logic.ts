import type { CatalogModel, DownloadStatus, FlowEvent, InstalledModel, LlmStatus, LoadedModel, ModelDownload } from "@flow/bindings";

const UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

/** A byte count in decimal units, e.g. `1.6 GB`; `—` when it is not a usable number. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${String(Math.round(value))} B`;
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** A transfer rate, e.g. `12.4 MB/s`; `—` when nothing is moving. */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "—";
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Time left, e.g. `45 s`, `3 min 05 s`, `1 h 02 min`; `—` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "—";
  const total = Math.ceil(seconds);
  if (total < 60) return `${String(total)} s`;
  if (total < 3600) {
    const minutes = Math.floor(total / 60);
    return `${String(minutes)} min ${String(total % 60).padStart(2, "0")} s`;
  }
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return `${String(hours)} h ${String(minutes).padStart(2, "0")} min`;
}

/** A context length in tokens, e.g. `32,768 tokens`; `—` when unknown. */
export function formatContext(tokens: number | null | undefined): string {
  if (tokens === null || tokens === undefined || !Number.isFinite(tokens)) return "—";
  return `${tokens.toLocaleString("en-US")} tokens`;
}

const STATUS_LABELS: Record<DownloadStatus, string> = {
  downloading: "Downloading",
  paused: "Paused",
  verifying: "Verifying",
  ready: "Ready",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function downloadStatusLabel(status: DownloadStatus): string {
  return STATUS_LABELS[status];
}

/** The actions a download's status allows. */
export function downloadActions(status: DownloadStatus): { pause: boolean; resume: boolean; cancel: boolean } {
  return {
    pause: status === "downloading",
    resume: status === "paused" || status === "failed",
    cancel: status === "downloading" || status === "paused" || status === "failed",
  };
}

/** Whether a download has left the Downloads list (installed, or its partial file deleted). */
function isFinished(status: DownloadStatus): boolean {
  return status === "ready" || status === "cancelled";
}

/**
 * Live download updates since the downloads list was last fetched. `base` is that list: when a
 * newer list arrives, updates applied to an older one are dropped (the list already holds them).
 */
export interface DownloadUpdates {
  base: readonly ModelDownload[] | null;
  byId: Readonly<Record<string, ModelDownload>>;
}

export const NO_UPDATES: DownloadUpdates = { base: null, byId: {} };

export interface DownloadUpdate {
  /** The list the update applies over (the one shown when it arrived). */
  base: readonly ModelDownload[] | null;
  download: ModelDownload;
}

/** Records a download's newest state (from a `model-download` event or a command's answer), keyed by id. */
export function downloadsReducer(state: DownloadUpdates, update: DownloadUpdate): DownloadUpdates {
  const byId = state.base === update.base ? state.byId : {};
  return { base: update.base, byId: { ...byId, [update.download.id]: update.download } };
}

/** The rows to show: the fetched list with newer updates applied, finished downloads left out. */
export function downloadRows(list: readonly ModelDownload[] | null, updates: DownloadUpdates): ModelDownload[] {
  const overlay = updates.base === list ? updates.byId : {};
  const rows: ModelDownload[] = [];
  const seen = new Set<string>();
  for (const download of list ?? []) {
    seen.add(download.id);
    rows.push(overlay[download.id] ?? download);
  }
  for (const [id, download] of Object.entries(overlay)) {
    if (!seen.has(id)) rows.push(download);
  }
  return rows.filter((download) => !isFinished(download.status));
}

/** The share done, 0–1; null when the total is not known yet. */
export function progressFraction(download: ModelDownload): number | null {
  const { bytes, total } = download;
  if (total === null || !Number.isFinite(total) || total <= 0) return null;
  return Math.min(1, Math.max(0, (bytes ?? 0) / total));
}

/** Whether a catalog entry is already installed (by catalog id, else by file name). */
export function isInstalled(model: CatalogModel, installed: readonly InstalledModel[] | null): boolean {
  return (installed ?? []).some((file) => file.catalogId === model.id || file.fileName === model.fileName);
}

/** Whether an event should refetch the installed list: a download just became ready, a file was imported or deleted. */
export function refreshesInstalled(event: FlowEvent): boolean {
  return (event.type === "model-download" && event.status === "ready") || event.type === "models-changed";
}

/**
 * Whether an event should refetch the runtime status: a model was loaded, unloaded or evicted, a
 * file was deleted (it is unloaded first), a download was installed, or a generation started
 * anywhere (its first token).
 */
export function refreshesStatus(event: FlowEvent): boolean {
  switch (event.type) {
    case "llm-changed":
    case "models-changed":
      return true;
    case "model-download":
      return event.status === "ready";
    case "llm-token":
      return event.index === 0;
    default:
      return false;
  }
}

/** Whether the runtime is busy (then its status is polled, as generations end without an event). */
export function isBusy(status: LlmStatus | null): boolean {
  return status !== null && (status.generating > 0 || status.queued > 0);
}

/** The loaded model backed by an installed file, if it is resident. */
export function residentModel(status: LlmStatus | null, fileName: string): LoadedModel | undefined {
  return status?.loaded.find((loaded) => loaded.model === fileName);
}

/** The resident indicator's words, e.g. `Loaded · 253 MB · in use`. */
export function residentLabel(loaded: LoadedModel): string {
  const parts = ["Loaded"];
  if (loaded.sizeBytes !== null && loaded.sizeBytes > 0) parts.push(formatBytes(loaded.sizeBytes));
  if (loaded.activeRequests > 0) parts.push(loaded.activeRequests === 1 ? "in use" : `in use ×${String(loaded.activeRequests)}`);
  return parts.join(" · ");
}

/** The runtime summary, e.g. `1 / 2 loaded · 253 MB of 8.00 GB resident · 1 generating · 0 queued`. */
export function statusSummary(status: LlmStatus): string {
  const { residentBytes, budgetBytes } = status.memory;
  const memory =
    budgetBytes !== null && budgetBytes > 0
      ? `${formatBytes(residentBytes ?? 0)} of ${formatBytes(budgetBytes)} resident`
      : `${formatBytes(residentBytes ?? 0)} resident`;
  return [
    `${String(status.loaded.length)} / ${String(status.maxLoadedModels)} loaded`,
    memory,
    `${String(status.generating)} generating`,
    `${String(status.queued)} queued`,
  ].join(" · ");
}

/** Whether an installed file can be loaded (its header was read). */
export function isUsable(model: InstalledModel): boolean {
  return typeof model.error !== "string";
}

/** Why a file cannot be imported under its own name, or null when it can (the core checks again). */
export function importNameProblem(fileName: string): string | null {
  const name = fileName.trim();
  if (name === "") return "Choose a .gguf file.";
  if (!name.endsWith(".gguf")) return "Only GGUF files (ending in .gguf) can be imported.";
  if (name.startsWith(".") || /[/\\\0]/.test(name)) return "The file name must be a plain name ending in .gguf.";
  if (name.length > 255) return "The file name is too long (255 characters at most).";
  return null;
}

/** The last path component (the file name an imported path gets); slashes and backslashes both separate. */
export function baseName(path: string): string {
  const parts = path.trim().split(/[/\\]/);
  return parts[parts.length - 1] ?? "";
}

/** The key a command on the installed file `fileName` is tracked under while it is in flight. */
export function modelKey(fileName: string): string {
  return `model:${fileName}`;
}
