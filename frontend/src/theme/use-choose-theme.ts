import type { ThemeName } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../host";
import { useSettingsStore } from "../settings/settings-store";

/** Switches the theme through the core; the pending theme and the last error are for the caller to show. */
export function useChooseTheme() {
  const { client } = useHost();
  const { acceptTheme } = useSettingsStore();
  const [pending, setPending] = useState<ThemeName | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function choose(theme: ThemeName): Promise<void> {
    setPending(theme);
    setError(null);
    try {
      const result = await client.themeSet(theme);
      acceptTheme(result.theme);
    } catch (cause) {
      setError(asAppError(cause).error);
    } finally {
      setPending(null);
    }
  }

  return { choose, pending, error };
}
