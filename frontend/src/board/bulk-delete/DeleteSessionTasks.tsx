import type { AppError, Client } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../../host";
import { ConfirmGroup } from "../../ui/ConfirmGroup";
import type { BoardTask } from "../BoardPage";
import "./bulk-delete.css";

type SessionTasksDeleted = Awaited<ReturnType<Client["boardDeleteSessionTasks"]>>;

/**
 * "Delete all tasks" for one session: asks first, naming how many tasks go, then the core deletes
 * them (tasks others wait for go last) and the result line names the order it used. The order is
 * the core's alone: it also counts lifecycle tasks the board does not show.
 */
export function DeleteSessionTasks({
  sessionId,
  sessionName,
  tasks,
  onDeleted,
}: {
  sessionId: string;
  sessionName: string;
  tasks: readonly BoardTask[];
  onDeleted: (result: SessionTasksDeleted) => void;
}) {
  const { client } = useHost();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<SessionTasksDeleted | null>(null);

  const run = () => {
    setBusy(true);
    setError(null);
    client.boardDeleteSessionTasks(sessionId).then(
      (result) => {
        setBusy(false);
        setConfirming(false);
        setDone(result);
        onDeleted(result);
      },
      (cause: unknown) => {
        setBusy(false);
        setConfirming(false);
        setError(asAppError(cause));
      },
    );
  };

  const count = tasks.length;
  const plural = count === 1 ? "task" : "tasks";
  return (
    <div className="bulk-delete">
      {!confirming ? (
        <button
          type="button"
          className="danger"
          disabled={count === 0}
          onClick={() => {
            setConfirming(true);
            setDone(null);
            setError(null);
          }}
        >
          Delete all tasks
        </button>
      ) : (
        <ConfirmGroup
          label="Confirm deleting all tasks"
          question={
            <>
              Delete all {count} {plural} of {sessionName}? This removes their files; tasks that others
              wait for go last.
            </>
          }
          action={`Delete ${count} ${plural}`}
          busy={busy}
          onConfirm={run}
          onCancel={() => {
            setConfirming(false);
          }}
        />
      )}
      {done !== null && (
        <p className="saved" role="status">
          Deleted {done.deleted.length} {done.deleted.length === 1 ? "task" : "tasks"}
          {done.deleted.length > 0 && `: ${done.deleted.map((id) => `#${id}`).join(", ")}`}.
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert">
          Not deleted: {error.error}
        </p>
      )}
    </div>
  );
}
