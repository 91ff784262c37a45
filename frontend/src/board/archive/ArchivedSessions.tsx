import type { SessionListItem } from "@flow/bindings";
import { useState } from "react";
import { SessionItem } from "../SessionItem";
import "./archive.css";

/**
 * The collapsed section of sessions idle over seven days with nothing in progress. It opens by
 * itself while a search is on, so a search still finds archived sessions.
 */
export function ArchivedSessions({
  sessions,
  searching,
  selectedId,
  onChoose,
}: {
  sessions: readonly SessionListItem[];
  searching: boolean;
  selectedId: string | null;
  onChoose: (id: string) => void;
}) {
  const [expanded, setExpanded] = useState(false);
  if (sessions.length === 0) return null;
  const open = expanded || searching || sessions.some((session) => session.id === selectedId);
  return (
    <div className="archived-sessions">
      <button
        type="button"
        className="archived-toggle quiet"
        aria-expanded={open}
        aria-controls="archived-session-list"
        onClick={() => {
          setExpanded(!open);
        }}
      >
        <span aria-hidden="true">{open ? "▾" : "▸"}</span> Archived ({sessions.length})
      </button>
      {open && (
        <ul id="archived-session-list" className="archived-list" aria-label="Archived sessions">
          {sessions.map((session) => (
            <li key={session.id}>
              <SessionItem
                session={session}
                pressed={selectedId === session.id}
                onChoose={() => {
                  onChoose(session.id);
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
