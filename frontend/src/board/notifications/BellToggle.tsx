import { useState } from "react";
import { unlockChime } from "./chime";
import "./notifications.css";

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
        <span aria-hidden="true">{on ? "🔔" : "🔕"}</span>
      </button>
      {on && blocked && <span className="muted bell-note">The browser blocks notifications; only the chime will sound.</span>}
    </div>
  );
}
