// The one-time `?token=` of the login URL the server prints. The UI exchanges it for a session
// cookie and never persists it.

export function readUrlToken(): string | null {
  const token = new URL(window.location.href).searchParams.get("token")?.trim() ?? "";
  return token === "" ? null : token;
}

/** Removes `token` from the address bar (keeping path, other parameters and hash) so it does
 * not linger in history, bookmarks or screenshots. */
export function stripUrlToken(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("token")) return;
  url.searchParams.delete("token");
  window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
}
