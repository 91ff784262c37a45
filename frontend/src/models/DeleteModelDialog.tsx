import type { InstalledModel } from "@flow/bindings";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { formatBytes } from "./models-logic";

/** Asks before deleting an installed file, saying whether it is also unloaded from memory. */
export function DeleteModelDialog({
  model,
  resident,
  onConfirm,
  onCancel,
}: {
  model: InstalledModel;
  /** The file is loaded in the runtime. */
  resident: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog title={`Delete ${model.fileName}?`} confirmLabel="Delete" danger onConfirm={onConfirm} onCancel={onCancel}>
      <p>
        The file ({formatBytes(model.sizeBytes)}) is removed from this machine
        {resident ? " and unloaded from memory" : ""}. Flows that use it stop working until it is installed again.
      </p>
    </ConfirmDialog>
  );
}
