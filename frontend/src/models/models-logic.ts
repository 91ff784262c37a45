import type { CatalogModel, DownloadStatus, FlowEvent, InstalledModel, ModelDownload } from "@flow/bindings";

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

/** Whether an event should refetch the installed list: a download just became ready. */
export function refreshesInstalled(event: FlowEvent): boolean {
  return event.type === "model-download" && event.status === "ready";
}
