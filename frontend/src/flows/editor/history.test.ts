import { describe, expect, it } from "vitest";
import { canRedo, canUndo, createHistory, push, redo, seal, undo } from "./history";

describe("history", () => {
  it("undoes and redoes", () => {
    let h = createHistory(1);
    h = push(h, 2);
    h = push(h, 3);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(2);
    h = undo(h);
    expect(h.present).toBe(1);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(2);
    expect(canRedo(h)).toBe(true);
    h = push(h, 9);
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it("coalesces pushes with the same key into one step", () => {
    let h = createHistory({ x: 0 });
    h = push(h, { x: 1 }, "drag:1");
    h = push(h, { x: 2 }, "drag:1");
    h = push(h, { x: 3 }, "drag:1");
    expect(h.past).toHaveLength(1);
    expect(h.present).toEqual({ x: 3 });
    h = push(h, { x: 4 }, "drag:2");
    expect(h.past).toHaveLength(2);
    expect(undo(h).present).toEqual({ x: 3 });
    expect(undo(undo(h)).present).toEqual({ x: 0 });
  });

  it("seal stops coalescing and undo resets the key", () => {
    let h = createHistory(0);
    h = push(h, 1, "k");
    h = seal(h);
    h = push(h, 2, "k");
    expect(h.past).toEqual([0, 1]);
    h = undo(h);
    h = push(h, 5, "k");
    expect(h.past).toEqual([0, 1]);
  });

  it("is bounded", () => {
    let h = createHistory(0, 100);
    for (let i = 1; i <= 250; i += 1) h = push(h, i);
    expect(h.past).toHaveLength(100);
    expect(h.past[0]).toBe(150);
    expect(h.present).toBe(250);
  });

  it("ignores a push of the same value", () => {
    const h = createHistory("a");
    expect(push(h, h.present)).toBe(h);
  });
});
