/** Saves text as a file in the browser: a Blob behind an object URL, clicked through `<a download>`. */
export function downloadText(fileName: string, mimeType: string, content: string): void {
  const blob = new Blob([content], { type: mimeType === "" ? "text/plain" : mimeType });
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = "noopener";
  anchor.style.display = "none";
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Some browsers read the URL after click() returns; revoke it a little later.
  window.setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1_000);
}
