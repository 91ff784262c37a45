import type { ThemeColors, ThemeName } from "@flow/bindings";

function parseHex(color: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  const hex = match?.[1];
  if (hex === undefined) return null;
  const full = hex.length === 3 ? hex.replace(/./g, "$&$&") : hex;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

/** Text colour that stays readable on `background` (WCAG relative luminance). */
export function readableOn(background: string, fallback: string): string {
  const rgb = parseHex(background);
  if (rgb === null) return fallback;
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.4 ? "#111111" : "#ffffff";
}

/** The app frame's theme: the four core colours as custom properties; CSS derives the rest. */
export function applyTheme(root: HTMLElement, theme: ThemeName, colors: ThemeColors): void {
  root.dataset.theme = theme;
  root.style.setProperty("--primary", colors.primary);
  root.style.setProperty("--secondary", colors.secondary);
  root.style.setProperty("--background", colors.background);
  root.style.setProperty("--foreground", colors.foreground);
  root.style.setProperty("--on-primary", readableOn(colors.primary, colors.background));
}
