import { useEffect } from "react";
import { useSettingsStore } from "../settings/settings-store";
import { applyTheme } from "./apply-theme";

/** Keeps the document's theme in step with the core's settings (so every tab follows). */
export function ThemeSync() {
  const { settings, themes } = useSettingsStore();
  const current = themes?.find((t) => t.theme === settings?.theme);
  useEffect(() => {
    if (current !== undefined) applyTheme(document.documentElement, current.theme, current.colors);
  }, [current]);
  return null;
}
