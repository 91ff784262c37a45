//! `settings.json` in the data directory: read leniently, written atomically, one writer at a time.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::{Settings, SettingsPatch};
use crate::{AppError, atomic_file};

struct Stored {
    settings: Settings,
    /// Keys this version does not know (written by a newer Flow or by hand), kept on rewrite.
    unknown: Map<String, Value>,
}

/// The settings document of one data directory.
pub struct SettingsStore {
    path: PathBuf,
    state: Mutex<Stored>,
}

impl SettingsStore {
    /// Opens `<data_dir>/settings.json`; a missing file means defaults.
    ///
    /// A file that is not a JSON object is moved aside to `settings.json.broken-<unix time>` (so
    /// nothing is lost) and the defaults are used.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let path = data_dir.join("settings.json");
        let stored = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => {
                    let settings = Settings::from_stored(&map);
                    let known = serde_json::to_value(&settings)
                        .map_err(|e| AppError::Internal(format!("serialising settings: {e}")))?;
                    let unknown = map
                        .into_iter()
                        .filter(|(k, _)| known.get(k).is_none())
                        .collect();
                    Stored { settings, unknown }
                }
                Ok(_) | Err(_) => {
                    let aside = set_aside(&path)?;
                    tracing::warn!(file = %path.display(), kept_as = %aside.display(), "settings file was not a JSON object; using defaults");
                    Stored {
                        settings: Settings::default(),
                        unknown: Map::new(),
                    }
                }
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Stored {
                settings: Settings::default(),
                unknown: Map::new(),
            },
            Err(err) => return Err(AppError::io(format!("reading {}", path.display()), err)),
        };
        Ok(Self {
            path,
            state: Mutex::new(stored),
        })
    }

    /// The current settings.
    pub async fn get(&self) -> Settings {
        self.state.lock().await.settings.clone()
    }

    /// Applies a validated patch and persists it; returns the new settings and whether anything
    /// changed (an unchanged patch writes nothing).
    pub async fn update(&self, patch: SettingsPatch) -> Result<(Settings, bool), AppError> {
        let mut state = self.state.lock().await;
        let next = state.settings.apply(patch)?;
        if next == state.settings {
            return Ok((next, false));
        }
        let mut doc = state.unknown.clone();
        match serde_json::to_value(&next) {
            Ok(Value::Object(known)) => doc.extend(known),
            Ok(_) => {
                return Err(AppError::Internal(
                    "settings did not serialise to an object".into(),
                ));
            }
            Err(e) => return Err(AppError::Internal(format!("serialising settings: {e}"))),
        }
        let mut bytes = serde_json::to_vec_pretty(&Value::Object(doc))
            .map_err(|e| AppError::Internal(format!("serialising settings: {e}")))?;
        bytes.push(b'\n');
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || atomic_file::write(&path, &bytes))
            .await
            .map_err(|e| AppError::Internal(format!("settings writer stopped: {e}")))??;
        state.settings = next.clone();
        Ok((next, true))
    }
}

fn set_aside(path: &Path) -> Result<PathBuf, AppError> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aside = path.with_file_name(format!("settings.json.broken-{secs}"));
    std::fs::rename(path, &aside)
        .map_err(|e| AppError::io(format!("moving aside {}", path.display()), e))?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::ThemeName;

    #[tokio::test]
    async fn update_persists_and_keeps_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"future_knob": [1, 2], "theme": "claude"}"#,
        )
        .unwrap();
        let store = SettingsStore::open(dir.path()).unwrap();
        assert_eq!(store.get().await.theme, ThemeName::Claude);
        let (next, changed) = store
            .update(SettingsPatch {
                theme: Some(ThemeName::Aurora),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(changed);
        assert_eq!(next.theme, ThemeName::Aurora);
        let on_disk: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("settings.json")).unwrap())
                .unwrap();
        assert_eq!(on_disk["future_knob"], serde_json::json!([1, 2]));
        assert_eq!(on_disk["theme"], "aurora");
        let reopened = SettingsStore::open(dir.path()).unwrap();
        assert_eq!(reopened.get().await.theme, ThemeName::Aurora);
    }

    #[tokio::test]
    async fn node_type_limits_persist_and_a_bad_stored_map_means_no_caps() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::open(dir.path()).unwrap();
        let limits =
            std::collections::BTreeMap::from([("ai".to_owned(), 1), ("shell".to_owned(), 2)]);
        store
            .update(SettingsPatch {
                node_type_limits: Some(limits.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        let on_disk: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("settings.json")).unwrap())
                .unwrap();
        assert_eq!(
            on_disk["node_type_limits"],
            serde_json::json!({"ai": 1, "shell": 2})
        );
        assert_eq!(
            SettingsStore::open(dir.path())
                .unwrap()
                .get()
                .await
                .node_type_limits,
            limits
        );

        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"node_type_limits": {"shell": 0}, "theme": "aurora"}"#,
        )
        .unwrap();
        let reopened = SettingsStore::open(dir.path()).unwrap().get().await;
        assert!(reopened.node_type_limits.is_empty());
        assert_eq!(reopened.theme, ThemeName::Aurora);
    }

    #[tokio::test]
    async fn an_unchanged_patch_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::open(dir.path()).unwrap();
        let (_, changed) = store.update(SettingsPatch::default()).await.unwrap();
        assert!(!changed);
        assert!(!dir.path().join("settings.json").exists());
    }

    #[tokio::test]
    async fn a_rejected_patch_leaves_file_and_state_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::open(dir.path()).unwrap();
        let err = store
            .update(SettingsPatch {
                scheduler_poll_secs: Some(0),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "InvalidInput");
        assert_eq!(store.get().await, Settings::default());
        assert!(!dir.path().join("settings.json").exists());
    }

    #[tokio::test]
    async fn a_broken_file_is_kept_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.json"), "{ not json").unwrap();
        let store = SettingsStore::open(dir.path()).unwrap();
        assert_eq!(store.get().await, Settings::default());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("settings.json.broken-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&aside[0])).unwrap(),
            "{ not json"
        );
    }

    #[tokio::test]
    async fn concurrent_updates_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(SettingsStore::open(dir.path()).unwrap());
        let mut tasks = Vec::new();
        for (i, theme) in ThemeName::ALL.into_iter().enumerate() {
            let store = store.clone();
            let toggle = i % 2 == 0;
            tasks.push(tokio::spawn(async move {
                if toggle {
                    store
                        .update(SettingsPatch {
                            allow_cloud_ai: Some(true),
                            ..Default::default()
                        })
                        .await
                } else {
                    store
                        .update(SettingsPatch {
                            theme: Some(theme),
                            ..Default::default()
                        })
                        .await
                }
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let on_disk: Settings =
            serde_json::from_slice(&std::fs::read(dir.path().join("settings.json")).unwrap())
                .unwrap();
        assert_eq!(on_disk, store.get().await);
        assert!(on_disk.allow_cloud_ai);
    }
}
