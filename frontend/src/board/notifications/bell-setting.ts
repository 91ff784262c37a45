// Whether the board's bell is on, kept in localStorage so it survives reloads.

const KEY = "flow.board.bell";

export function readBell(): boolean {
  try {
    return window.localStorage.getItem(KEY) === "on";
  } catch {
    // Storage can be disabled (private modes, policies): the bell then starts off.
    return false;
  }
}

export function writeBell(on: boolean): void {
  try {
    window.localStorage.setItem(KEY, on ? "on" : "off");
  } catch {
    // Not persisted where storage is disabled; the bell still works for this page.
  }
}
