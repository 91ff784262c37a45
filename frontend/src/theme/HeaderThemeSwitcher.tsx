import { useSettingsStore } from "../settings/settings-store";
import { themeLabel } from "./theme-label";
import { useChooseTheme } from "./use-choose-theme";

/** A compact theme menu in the header, as the original board had; the Settings page has the full picker. */
export function HeaderThemeSwitcher() {
  const { settings, themes } = useSettingsStore();
  const { choose, error } = useChooseTheme();
  if (settings === null || themes === null) return null;

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
