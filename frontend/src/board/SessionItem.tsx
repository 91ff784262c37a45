import type { SessionListItem } from "@flow/bindings";
import { lastActivity, sessionTitle } from "./board-logic";
import { formatWhen } from "./format-when";

/** One session in the list: name, project, branch, counts and last activity. */
export function SessionItem({ session, pressed, onChoose }: { session: SessionListItem; pressed: boolean; onChoose: () => void }) {
  return (
    <button type="button" className="session-item" aria-pressed={pressed} data-session-id={session.id} onClick={onChoose}>
      <span className="session-name">{sessionTitle(session)}</span>
      {session.project !== null && <span className="session-meta">{session.project}</span>}
      {session.gitBranch !== null && session.gitBranch !== "" && <span className="session-meta">⎇ {session.gitBranch}</span>}
      <span className="session-counts">
        <span className="count pending" title="Pending">
          {session.pending} pending
        </span>
        <span className="count in_progress" title="In progress">
          {session.inProgress} in progress
        </span>
        <span className="count completed" title="Completed">
          {session.completed} done
        </span>
      </span>
      <span className="session-meta">Last activity {formatWhen(lastActivity(session))}</span>
    </button>
  );
}
