import { useEffect, useRef } from "react";
import type { BoardTask } from "../BoardPage";
import { playChime } from "./chime";
import { completedSince, statusSnapshot, type StatusSnapshot } from "./transitions";

/** What a completion notification says. */
export function completionMessage(task: BoardTask, sessionName: string): { title: string; body: string } {
  return { title: `Completed: ${task.subject}`, body: `${sessionName} · task #${task.id}` };
}

/**
 * While `enabled`, each task that moves from in progress to completed gets a desktop
 * notification (when the browser allows them) and one chime per batch. Clicking a notification
 * focuses the window and calls `onOpen` with the task.
 */
export function useCompletionNotifications(
  tasks: readonly BoardTask[] | null,
  enabled: boolean,
  sessionName: (sessionId: string) => string,
  onOpen: (sessionId: string, taskId: string) => void,
): void {
  const previous = useRef<StatusSnapshot | null>(null);
  const latest = useRef({ enabled, sessionName, onOpen });
  useEffect(() => {
    latest.current = { enabled, sessionName, onOpen };
  });

  useEffect(() => {
    if (tasks === null) return;
    const before = previous.current;
    previous.current = statusSnapshot(tasks);
    const { enabled: on, sessionName: nameOf, onOpen: open } = latest.current;
    if (before === null || !on) return;
    const done = completedSince(before, tasks);
    if (done.length === 0) return;
    playChime();
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    for (const task of done) {
      const { title, body } = completionMessage(task, nameOf(task.sessionId));
      const notification = new Notification(title, { body, tag: `flow-board:${task.sessionId}/${task.id}` });
      notification.addEventListener("click", () => {
        window.focus();
        open(task.sessionId, task.id);
        notification.close();
      });
    }
  }, [tasks]);
}
