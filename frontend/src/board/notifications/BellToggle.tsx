import { useState } from "react";
import { unlockChime } from "./chime";
import "./notifications.css";

/** A bell outline, struck through when off (inline, so it needs no emoji font or icon file). */
function BellIcon({ on }: { on: boolean }) {
  return (
    <svg className="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d="M6 17h12l-1.5-2.2V10a4.5 4.5 0 0 0-9 0v4.8L6 17Z M10 19.5a2 2 0 0 0 4 0"
        fill={on ? "currentColor" : "none"}
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinejoin="round"
        strokeLinecap="round"
      />
      {!on && <path d="M4 4l16 16" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />}
    </svg>
  );
}

/**
 * The bell: turns completion notifications and the chime on or off. Turning it on asks for the
 * browser's permission to notify; a refusal leaves the chime on and says why nothing pops up.
 */
export function BellToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  const [blocked, setBlocked] = useState(false);
  const toggle = () => {
    if (on) {
      onChange(false);
      return;
    }
    unlockChime();
    onChange(true);
    if (typeof Notification === "undefined") {
      setBlocked(true);
      return;
    }
    if (Notification.permission === "granted") {
      setBlocked(false);
      return;
    }
    Notification.requestPermission().then(
      (answer) => {
        setBlocked(answer !== "granted");
      },
      () => {
        setBlocked(true);
      },
    );
  };
  return (
    <div className="board-bell">
      <button
        type="button"
        className={on ? "bell on" : "bell"}
        aria-pressed={on}
        aria-label="Notify when a task completes"
        title={on ? "Notifications on: a chime and a desktop notification when a task completes" : "Notifications off"}
        onClick={toggle}
      >
        <BellIcon on={on} />
      </button>
      {on && blocked && <span className="muted bell-note">The browser blocks notifications; only the chime will sound.</span>}
    </div>
  );
}
