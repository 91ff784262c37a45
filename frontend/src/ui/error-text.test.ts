import { describe, expect, it } from "vitest";
import { errorText, isConflict } from "./error-text";

describe("errorText", () => {
  it("returns the server's message", () => {
    expect(errorText({ kind: "InvalidInput", error: "3:7: expected `->`" })).toBe("3:7: expected `->`");
  });

  it("explains Unavailable", () => {
    expect(errorText({ kind: "Unavailable", error: "flows_list is not implemented" })).toBe(
      "Not available right now: flows_list is not implemented",
    );
    expect(errorText({ kind: "Unavailable", error: "" })).toBe("This is not available right now.");
  });

  it("falls back to the kind for an empty message", () => {
    expect(errorText({ kind: "Internal", error: "  " })).toBe("Internal error");
  });

  it("detects conflicts", () => {
    expect(isConflict({ kind: "Conflict", error: "stale" })).toBe(true);
    expect(isConflict({ kind: "NotFound", error: "gone" })).toBe(false);
  });
});
