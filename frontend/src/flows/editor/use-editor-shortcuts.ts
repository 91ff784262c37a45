import { useEffect, useRef } from "react";
import { isTextTarget, shortcutFor, type EditorShortcut } from "./shortcuts";

/** Window-wide Ctrl/Cmd+S, +Z, +Shift+Z, +Y; undo/redo are left to text fields when they have focus. */
export function useEditorShortcuts(handlers: Record<EditorShortcut, () => void>): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutFor(event);
      if (shortcut === null) return;
      if (shortcut !== "save" && isTextTarget(event.target)) return;
      event.preventDefault();
      latest.current[shortcut]();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
    };
  }, []);
}
