import type { AppError } from "@flow/bindings";
import { useImperativeHandle, useState, type Ref } from "react";
import { asAppError, useHost } from "../host";
import { ConfirmGroup } from "../ui/ConfirmGroup";
import type { BoardTask } from "./BoardPage";
import { Markdown } from "./Markdown";

const STATUS_LABELS: Record<string, string> = {
  pending: "Pending",
  in_progress: "In progress",
  completed: "Completed",
};

function TaskLinks({ label, ids, onSelect }: { label: string; ids: string[]; onSelect: (id: string) => void }) {
  if (ids.length === 0) return null;
  return (
    <p className="task-links">
      <span className="muted">{label}</span>{" "}
      {ids.map((id) => (
        <button
          key={id}
          type="button"
          className="link"
          onClick={() => {
            onSelect(id);
          }}
        >
          #{id}
        </button>
      ))}
    </p>
  );
}

/** What the board can ask of the open task's panel (the `D` shortcut). */
export interface TaskDetailHandle {
  /** Shows the delete confirmation, its button focused, as the Delete button does. */
  requestDelete: () => void;
}

export function TaskDetail({
  ref,
  task,
  onSelect,
  onClose,
  onNoteAdded,
  onDeleted,
}: {
  ref?: Ref<TaskDetailHandle>;
  task: BoardTask;
  onSelect: (taskId: string) => void;
  onClose: () => void;
  onNoteAdded: (sessionId: string, taskId: string, document: unknown) => void;
  onDeleted: (sessionId: string, taskId: string) => void;
}) {
  const { client } = useHost();
  const [note, setNote] = useState("");
  const [noteBusy, setNoteBusy] = useState(false);
  const [noteError, setNoteError] = useState<AppError | null>(null);
  const [noteAdded, setNoteAdded] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<AppError | null>(null);

  useImperativeHandle(ref, () => ({
    requestDelete: () => {
      setConfirming(true);
      setDeleteError(null);
    },
  }));

  const addNote = () => {
    setNoteBusy(true);
    setNoteError(null);
    setNoteAdded(false);
    client.boardAddNote(task.sessionId, task.id, note).then(
      (result) => {
        setNoteBusy(false);
        setNote("");
        setNoteAdded(true);
        onNoteAdded(task.sessionId, task.id, result.task);
      },
      (cause: unknown) => {
        setNoteBusy(false);
        setNoteError(asAppError(cause));
      },
    );
  };

  const deleteTask = () => {
    setDeleteBusy(true);
    setDeleteError(null);
    client.boardDeleteTask(task.sessionId, task.id).then(
      () => {
        setDeleteBusy(false);
        onDeleted(task.sessionId, task.id);
      },
      (cause: unknown) => {
        setDeleteBusy(false);
        setConfirming(false);
        setDeleteError(asAppError(cause));
      },
    );
  };

  return (
    <aside className="task-detail card" aria-label="Task details">
      <div className="task-detail-header">
        <h2>
          <span className="task-id">#{task.id}</span> {task.subject}
        </h2>
        <button type="button" className="quiet" aria-label="Close task details" onClick={onClose}>
          ×
        </button>
      </div>
      <p className="task-facts">
        <span className={`status-pill ${task.status}`}>{STATUS_LABELS[task.status] ?? task.status}</span>
        {task.owner !== "" && <span className="muted">Owner: {task.owner}</span>}
      </p>
      {task.status === "in_progress" && task.activeForm !== "" && <p className="muted">{task.activeForm}</p>}
      <TaskLinks label="Blocks" ids={task.blocks} onSelect={onSelect} />
      <TaskLinks label="Blocked by" ids={task.blockedBy} onSelect={onSelect} />
      <div className="task-description">
        {task.description === "" ? <p className="muted">No description.</p> : <Markdown text={task.description} />}
      </div>

      <form
        className="task-note"
        aria-label="Add note"
        onSubmit={(event) => {
          event.preventDefault();
          if (note.trim() !== "" && !noteBusy) addNote();
        }}
      >
        <label htmlFor="task-note-text">Add a note</label>
        <textarea
          id="task-note-text"
          rows={3}
          value={note}
          onChange={(event) => {
            setNote(event.target.value);
            setNoteAdded(false);
          }}
        />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={noteBusy || note.trim() === ""}>
            Add note
          </button>
          {noteAdded && <span className="saved">Note added</span>}
        </div>
        {noteError !== null && (
          <p className="error" role="alert">
            Note not added: {noteError.error}
          </p>
        )}
      </form>

      <div className="task-delete">
        {!confirming ? (
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirming(true);
              setDeleteError(null);
            }}
          >
            Delete
          </button>
        ) : (
          // Focused so that the D shortcut's confirmation takes Enter.
          <ConfirmGroup
            label="Confirm delete"
            question={<>Delete task #{task.id}? This removes its file.</>}
            action="Delete task"
            busy={deleteBusy}
            focusAction
            onConfirm={deleteTask}
            onCancel={() => {
              setConfirming(false);
            }}
          />
        )}
        {deleteError !== null && (
          <p className="error" role="alert">
            Not deleted: {deleteError.error}
          </p>
        )}
      </div>
    </aside>
  );
}
