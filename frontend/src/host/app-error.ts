import { isAppError, type AppError } from "@flow/bindings";

/** Both transports reject with AppError; anything else is a bug surfaced as Internal. */
export function asAppError(cause: unknown): AppError {
  if (isAppError(cause)) return cause;
  return { kind: "Internal", error: cause instanceof Error ? cause.message : String(cause) };
}
