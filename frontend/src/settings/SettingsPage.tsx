import type { AppError, SettingField } from "@flow/bindings";
import { useCallback, useEffect, useMemo, useState } from "react";
import { NavLink } from "react-router";
import { ConnectionsPanel } from "../connections/ConnectionsPanel";
import { asAppError, useFlowEvents, useHost } from "../host";
import { formFields } from "./settings-form";
import { SettingsForm } from "./SettingsForm";
import { useSettingsStore } from "./settings-store";
import { ThemePicker } from "./ThemePicker";

/** Which part of Settings a route shows. */
export type SettingsTab = "general" | "connections";

export function SettingsPage({ tab = "general" }: { tab?: SettingsTab }) {
  return (
    <div className="page settings-page">
      <h1>Settings</h1>
      <nav className="settings-tabs" aria-label="Settings sections">
        <NavLink to="/settings" end>
          General
        </NavLink>
        <NavLink to="/settings/connections">Connections</NavLink>
      </nav>
      {tab === "connections" ? <ConnectionsPanel /> : <GeneralSettings />}
    </div>
  );
}

function GeneralSettings() {
  const { client } = useHost();
  const { settings, themes, loadError, reload } = useSettingsStore();
  const [manifest, setManifest] = useState<SettingField[] | null>(null);
  const [manifestError, setManifestError] = useState<AppError | null>(null);

  const loadManifest = useCallback(() => {
    client.settingsManifest().then(
      (next) => {
        setManifest(next);
        setManifestError(null);
      },
      (cause: unknown) => {
        setManifestError(asAppError(cause));
      },
    );
  }, [client]);

  useEffect(loadManifest, [loadManifest]);

  useFlowEvents((event) => {
    if (event.type === "resync") loadManifest();
  });

  const fields = useMemo(() => (manifest === null ? null : formFields(manifest)), [manifest]);
  const error = loadError ?? manifestError;

  return (
    <>
      {error !== null && (
        <div className="error card" role="alert">
          <p>Could not load settings: {error.error}</p>
          <button
            type="button"
            onClick={() => {
              reload();
              loadManifest();
            }}
          >
            Try again
          </button>
        </div>
      )}
      {settings !== null && themes !== null && <ThemePicker themes={themes} current={settings.theme} />}
      {settings !== null && fields !== null && <SettingsForm fields={fields} settings={settings} />}
      {error === null && (settings === null || fields === null) && <p className="muted">Loading settings…</p>}
    </>
  );
}
