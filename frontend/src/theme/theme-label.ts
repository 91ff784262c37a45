import type { ThemeName } from "@flow/bindings";

/** "neo-brutalism" -> "Neo Brutalism". */
export function themeLabel(theme: ThemeName): string {
  return theme
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}
