import type { ModelDownload } from "@flow/bindings";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { formatBytes } from "./models-logic";

/** Asks before cancelling a download, which deletes what was downloaded so far. */
export function CancelDownloadDialog({
  download,
  name,
  onConfirm,
  onCancel,
}: {
  download: ModelDownload;
  name: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      title={`Cancel the download of ${name}?`}
      confirmLabel="Cancel download"
      cancelLabel="Keep it"
      danger
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>
        The {formatBytes(download.bytes)} downloaded so far will be deleted; downloading it again starts from the
        beginning.
      </p>
    </ConfirmDialog>
  );
}
