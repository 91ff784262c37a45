import type { ModelDownload } from "@flow/bindings";
import { downloadActions, downloadStatusLabel, formatBytes, formatEta, formatRate, progressFraction } from "./models-logic";

/** One download: progress, bytes, rate and time left, its error, and pause/resume/cancel. */
export function DownloadRow({
  download,
  name,
  busy,
  onPause,
  onResume,
  onCancel,
}: {
  download: ModelDownload;
  name: string;
  busy: boolean;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
}) {
  const fraction = progressFraction(download);
  const actions = downloadActions(download.status);
  return (
    <li className={`models-download card models-download-${download.status}`}>
      <div className="models-download-head">
        <span className="models-download-name">
          <strong>{name}</strong> <span className="muted models-file">{download.fileName}</span>
        </span>
        <span className="badge models-status">{downloadStatusLabel(download.status)}</span>
      </div>
      <progress
        aria-label={`${name} download progress`}
        max={1}
        value={fraction ?? undefined}
        className="models-progress"
      />
      <div className="models-download-stats muted">
        <span>
          {formatBytes(download.bytes)} / {fraction !== null ? formatBytes(download.total) : "unknown size"}
          {fraction !== null && ` (${String(Math.floor(fraction * 100))}%)`}
        </span>
        {download.status === "downloading" && (
          <>
            <span>{formatRate(download.rateBps)}</span>
            <span>{formatEta(download.etaSecs)} left</span>
          </>
        )}
      </div>
      {download.status === "failed" && typeof download.error === "string" && (
        <p className="error" role="alert">
          {download.error}
        </p>
      )}
      <div className="models-download-actions">
        {actions.pause && (
          <button type="button" disabled={busy} onClick={onPause}>
            Pause
          </button>
        )}
        {actions.resume && (
          <button type="button" className="primary" disabled={busy} onClick={onResume}>
            Resume
          </button>
        )}
        {actions.cancel && (
          <button type="button" className="danger" disabled={busy} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </li>
  );
}
