import type { ReactNode } from "react";

/** The inline "are you sure?" row of a destructive action: the question, the action, Cancel. */
export function ConfirmGroup({
  label,
  question,
  action,
  busy,
  focusAction = false,
  onConfirm,
  onCancel,
}: {
  /** The group's accessible name. */
  label: string;
  /** What will happen, in words. */
  question: ReactNode;
  /** The confirming button's text. */
  action: string;
  /** While the action runs (the button is disabled). */
  busy: boolean;
  /** Focus the action, so that Enter confirms (keyboard-opened confirmations). */
  focusAction?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="confirm" role="group" aria-label={label}>
      <span>{question}</span>
      <button type="button" className="danger" autoFocus={focusAction} disabled={busy} onClick={onConfirm}>
        {action}
      </button>
      <button type="button" className="quiet" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
