// The board's keyboard shortcuts: which key does what. No React here.

/** What a shortcut asks for. */
export type ShortcutAction = "help" | "delete" | "close";

/** The keys, for the help dialog. */
export const SHORTCUTS: readonly { keys: string; action: ShortcutAction; description: string }[] = [
  { keys: "?", action: "help", description: "Show or hide this help" },
  { keys: "D", action: "delete", description: "Delete the open task (asks first; a task others wait for is refused)" },
  { keys: "Esc", action: "close", description: "Close the help, the confirmation or the task details" },
];

/** The parts of a keyboard event the mapping reads. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element is a text field, select or editable: typing there is not a shortcut. */
  inTextField: boolean;
}

/**
 * The action of a key press, or null. Nothing fires while typing in a field, Escape included,
 * so Escape in the note box does not throw away a half-written note.
 */
export function shortcutFor(input: KeyInput): ShortcutAction | null {
  if (input.ctrlKey || input.metaKey || input.altKey || input.inTextField) return null;
  if (input.key === "Escape") return "close";
  if (input.key === "?") return "help";
  if (input.key === "d" || input.key === "D") return "delete";
  return null;
}

/** Whether typing into `target` should not trigger shortcuts. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(type);
}
