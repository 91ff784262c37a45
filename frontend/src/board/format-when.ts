/** A time for people: the local date and time, "unknown" for null, the text itself if unparsable. */
export function formatWhen(iso: string | null): string {
  if (iso === null) return "unknown";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
