import type { ThemeName, ThemeState } from "@flow/bindings";
import { themeLabel } from "../theme/theme-label";
import { useChooseTheme } from "../theme/use-choose-theme";

export function ThemePicker({ themes, current }: { themes: readonly ThemeState[]; current: ThemeName }) {
  const { choose, pending, error } = useChooseTheme();

  return (
    <section className="card" aria-labelledby="theme-heading">
      <h2 id="theme-heading">Theme</h2>
      <p className="muted">Applies to every open window right away.</p>
      <div className="swatches" role="group" aria-labelledby="theme-heading">
        {themes.map(({ theme, colors }) => {
          const selected = theme === current;
          return (
            <button
              key={theme}
              type="button"
              className="swatch"
              aria-pressed={selected}
              aria-busy={pending === theme}
              disabled={pending !== null}
              onClick={() => void choose(theme)}
            >
              <span
                className="swatch-preview"
                aria-hidden="true"
                style={{ background: colors.background, color: colors.foreground }}
              >
                <span className="swatch-text">Aa</span>
                <span className="swatch-chip" style={{ background: colors.primary }} />
                <span className="swatch-chip" style={{ background: colors.secondary }} />
              </span>
              <span className="swatch-name">{themeLabel(theme)}</span>
            </button>
          );
        })}
      </div>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
