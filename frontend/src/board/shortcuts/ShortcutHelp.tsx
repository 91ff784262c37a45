import { useEffect, useRef } from "react";
import { SHORTCUTS } from "./shortcuts";
import "./shortcuts.css";

/** The `?` dialog listing the board's keyboard shortcuts. */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeButton.current?.focus();
  }, []);
  return (
    <div
      className="shortcut-backdrop"
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="shortcut-help card" role="dialog" aria-modal="true" aria-labelledby="shortcut-help-title">
        <div className="shortcut-help-header">
          <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
          <button ref={closeButton} type="button" className="quiet" aria-label="Close keyboard shortcuts" onClick={onClose}>
            ×
          </button>
        </div>
        <dl>
          {SHORTCUTS.map((shortcut) => (
            <div key={shortcut.action} className="shortcut-row">
              <dt>
                <kbd>{shortcut.keys}</kbd>
              </dt>
              <dd>{shortcut.description}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
