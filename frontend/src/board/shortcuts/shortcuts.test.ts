import { describe, expect, it } from "vitest";
import { shortcutFor, type KeyInput } from "./shortcuts";

const key = (k: string, over: Partial<KeyInput> = {}): KeyInput => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, inTextField: false, ...over });

describe("shortcutFor", () => {
  it("maps ?, d/D and Escape", () => {
    expect(shortcutFor(key("?"))).toBe("help");
    expect(shortcutFor(key("d"))).toBe("delete");
    expect(shortcutFor(key("D"))).toBe("delete");
    expect(shortcutFor(key("Escape"))).toBe("close");
    expect(shortcutFor(key("x"))).toBeNull();
  });

  it("leaves typing and modified keys alone, Escape included", () => {
    expect(shortcutFor(key("d", { inTextField: true }))).toBeNull();
    expect(shortcutFor(key("?", { inTextField: true }))).toBeNull();
    expect(shortcutFor(key("d", { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key("D", { metaKey: true }))).toBeNull();
    expect(shortcutFor(key("Escape", { inTextField: true }))).toBeNull();
  });
});
