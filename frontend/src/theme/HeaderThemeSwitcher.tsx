import type { ThemeName } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../host";
import { useSettingsStore } from "../settings/settings-store";
import { themeLabel } from "./theme-label";

/** A compact theme menu in the header, as the original board had; the Settings page has the full picker. */
export function HeaderThemeSwitcher() {
  const { client } = useHost();
  const { settings, themes, acceptTheme } = useSettingsStore();
  const [error, setError] = useState<string | null>(null);
  if (settings === null || themes === null) return null;

  async function choose(theme: ThemeName) {
    setError(null);
    try {
      const result = await client.themeSet(theme);
      acceptTheme(result.theme);
    } catch (cause) {
      setError(asAppError(cause).error);
    }
  }

  return (
    <label className="header-theme" title={error ?? "Theme"}>
      <span className="visually-hidden">Theme</span>
      <select
        aria-label="Theme"
        aria-invalid={error !== null}
        value={settings.theme}
        onChange={(event) => {
          const chosen = themes.find((t) => t.theme === event.target.value);
          if (chosen !== undefined) void choose(chosen.theme);
        }}
      >
        {themes.map(({ theme }) => (
          <option key={theme} value={theme}>
            {themeLabel(theme)}
          </option>
        ))}
      </select>
    </label>
  );
}
