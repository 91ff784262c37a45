import type { AppError, Settings, ThemeName, ThemeState } from "@flow/bindings";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { asAppError, useFlowEvents, useHost } from "../host";

export interface SettingsStore {
  settings: Settings | null;
  themes: ThemeState[] | null;
  loadError: AppError | null;
  /** Records settings the core just returned (after an update), ahead of its event. */
  accept: (settings: Settings) => void;
  /** Records a theme the core just confirmed, ahead of its event. */
  acceptTheme: (theme: ThemeName) => void;
  reload: () => void;
}

const SettingsContext = createContext<SettingsStore | null>(null);

/** Holds the core's settings and theme list for the whole app, kept live by FlowEvents. */
export function SettingsProvider({ children }: { children: ReactNode }) {
  const { client } = useHost();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [themes, setThemes] = useState<ThemeState[] | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  // Bumped whenever fresher settings arrive; a fetch that started before then returns an older
  // snapshot and must not overwrite them.
  const generation = useRef(0);

  const accept = useCallback((next: Settings) => {
    generation.current += 1;
    setSettings(next);
  }, []);

  const acceptTheme = useCallback((theme: ThemeName) => {
    generation.current += 1;
    setSettings((current) => (current === null ? current : { ...current, theme }));
  }, []);

  const reload = useCallback(() => {
    const startedAt = generation.current;
    Promise.all([client.settingsGet(), client.themeList()]).then(
      ([nextSettings, nextThemes]) => {
        setThemes(nextThemes);
        if (generation.current === startedAt) setSettings(nextSettings);
        setLoadError(null);
      },
      (cause: unknown) => {
        setLoadError(asAppError(cause));
      },
    );
  }, [client]);

  useEffect(reload, [reload]);

  useFlowEvents((event) => {
    if (event.type === "settings-changed") accept(event.settings);
    else if (event.type === "resync") reload();
  });

  return (
    <SettingsContext.Provider value={{ settings, themes, loadError, accept, acceptTheme, reload }}>
      {children}
    </SettingsContext.Provider>
  );
}

export function useSettingsStore(): SettingsStore {
  const store = useContext(SettingsContext);
  if (store === null) throw new Error("useSettingsStore must be used inside <SettingsProvider>");
  return store;
}
