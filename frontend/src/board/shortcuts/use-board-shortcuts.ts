import { useEffect, useRef } from "react";
import { isTextField, shortcutFor, type ShortcutAction } from "./shortcuts";

/** Calls `onAction` for the board's keyboard shortcuts while the page is mounted. */
export function useBoardShortcuts(onAction: (action: ShortcutAction) => void): void {
  const latest = useRef(onAction);
  useEffect(() => {
    latest.current = onAction;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const action = shortcutFor({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        inTextField: isTextField(event.target),
      });
      if (action === null) return;
      if (action !== "close") event.preventDefault();
      latest.current(action);
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
    };
  }, []);
}
