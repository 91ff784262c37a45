import type { AppError } from "@flow/bindings";

/**
 * A sentence for people from an AppError. `Unavailable` gets a hint that the feature may not be
 * served yet; an empty message falls back to the kind.
 */
export function errorText(error: AppError): string {
  const message = error.error.trim();
  if (error.kind === "Unavailable") {
    return message === "" ? "This is not available right now." : `Not available right now: ${message}`;
  }
  return message === "" ? `${error.kind} error` : message;
}

/** Whether the error means the thing changed under us (a stale revision). */
export function isConflict(error: AppError): boolean {
  return error.kind === "Conflict";
}
