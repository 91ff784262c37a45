//! The catalog of one data directory: built-in entries plus those installed under `nodes/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use super::builtin::{builtin_entries, builtin_entry};
use super::entry::{CatalogEntry, CatalogListing};
use super::installed;
use crate::AppError;
use crate::services::ServiceIntegration;

/// Built-in and installed node-catalog entries.
///
/// Installed entries are read from disk on every call (a few dozen small files), so a file the
/// user drops into `nodes/` shows up without a restart.
#[derive(Debug)]
pub struct NodeCatalog {
    nodes_dir: PathBuf,
    /// Serialises install/uninstall so concurrent calls never interleave their check and write.
    writes: Mutex<()>,
    /// The parsed service descriptors of the installed entries, as of the directory's mtime
    /// (files are written by rename, which updates it): a service node looks its descriptor up
    /// on every request, and re-reading `nodes/` each time would dominate its overhead.
    services: Mutex<Option<(SystemTime, Arc<ServiceMap>)>>,
}

/// Service id → its descriptor.
type ServiceMap = HashMap<String, Arc<ServiceIntegration>>;

/// What an install did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallChange {
    /// The entry was not installed before.
    Installed,
    /// An installed copy of another version was replaced.
    Updated,
    /// The same version was already installed: nothing was written.
    Unchanged,
}

impl InstallChange {
    /// The `NodesChanged.change` word, or `None` when nothing changed.
    pub fn event_name(self) -> Option<&'static str> {
        match self {
            Self::Installed => Some("installed"),
            Self::Updated => Some("updated"),
            Self::Unchanged => None,
        }
    }
}

impl NodeCatalog {
    /// Opens `nodes/` (creating it, and installing the default entries, on first use).
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let nodes_dir = data_dir.join("nodes");
        std::fs::create_dir_all(&nodes_dir)
            .map_err(|e| AppError::io(format!("creating {}", nodes_dir.display()), e))?;
        installed::seed_if_new(&nodes_dir)?;
        Ok(Self {
            nodes_dir,
            writes: Mutex::new(()),
            services: Mutex::new(None),
        })
    }

    /// The descriptor of service `id` from the installed entries (`None` when no installed
    /// entry describes it validly).
    pub fn service_integration(&self, id: &str) -> Option<Arc<ServiceIntegration>> {
        let mtime = std::fs::metadata(&self.nodes_dir)
            .and_then(|m| m.modified())
            .ok();
        let mut cache = self.services.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Some(mtime), Some((at, map))) = (mtime, cache.as_ref())
            && *at == mtime
        {
            return map.get(id).cloned();
        }
        let mut map = ServiceMap::new();
        for entry in self.installed() {
            if let Ok(Some(integration)) = crate::services::check_entry(&entry) {
                map.entry(integration.service.clone())
                    .or_insert_with(|| Arc::new(integration));
            }
        }
        let map = Arc::new(map);
        let found = map.get(id).cloned();
        if let Some(mtime) = mtime {
            *cache = Some((mtime, map));
        }
        found
    }

    /// The `nodes/` directory.
    pub fn nodes_dir(&self) -> &Path {
        &self.nodes_dir
    }

    /// The valid installed entries, sorted by slug.
    pub fn installed(&self) -> Vec<CatalogEntry> {
        installed::read_all(&self.nodes_dir)
    }

    /// The installed entry, else the built-in one, with this slug.
    pub fn entry(&self, slug: &str) -> Option<CatalogEntry> {
        installed::read_one(&self.nodes_dir, slug).or_else(|| builtin_entry(slug).cloned())
    }

    /// Every built-in entry plus installed-only ones, sorted by category then name.
    pub fn listings(&self) -> Vec<CatalogListing> {
        let mut installed = self.installed();
        let mut listings: Vec<CatalogListing> = builtin_entries()
            .iter()
            .filter_map(|builtin| {
                let own = installed
                    .iter()
                    .position(|e| e.slug == builtin.slug)
                    .map(|i| installed.swap_remove(i));
                listing(Some(builtin), own)
            })
            .collect();
        listings.extend(
            installed
                .into_iter()
                .filter_map(|own| listing(None, Some(own))),
        );
        listings.sort_by(|a, b| {
            let key = |l: &CatalogListing| {
                (
                    l.entry.category.to_lowercase(),
                    l.entry.name.to_lowercase(),
                    l.entry.slug.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        listings
    }

    /// The listing of one slug (built in or installed).
    pub fn listing(&self, slug: &str) -> Option<CatalogListing> {
        let own = installed::read_one(&self.nodes_dir, slug);
        let builtin = builtin_entry(slug);
        listing(builtin, own)
    }

    /// Installs the built-in entry `slug`, or replaces an installed copy of another version.
    pub fn install(&self, slug: &str) -> Result<(CatalogListing, InstallChange), AppError> {
        installed::entry_path(&self.nodes_dir, slug)?;
        let builtin = builtin_entry(slug)
            .ok_or_else(|| AppError::NotFound(format!("no built-in node entry `{slug}`")))?;
        let _guard = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        let current = installed::read_one(&self.nodes_dir, slug);
        let change = match &current {
            Some(own) if own.version == builtin.version => InstallChange::Unchanged,
            Some(_) => InstallChange::Updated,
            None => InstallChange::Installed,
        };
        if change != InstallChange::Unchanged {
            installed::write_entry(&self.nodes_dir, builtin)?;
            tracing::info!(slug, ?change, version = %builtin.version, "node entry installed");
        }
        let own = match change {
            InstallChange::Unchanged => current,
            _ => Some(builtin.clone()),
        };
        let listing = listing(Some(builtin), own)
            .ok_or_else(|| AppError::Internal(format!("no listing for `{slug}`")))?;
        Ok((listing, change))
    }

    /// Removes the installed entry `slug` (a corrupt file of that name included).
    pub fn uninstall(&self, slug: &str) -> Result<(), AppError> {
        installed::entry_path(&self.nodes_dir, slug)?;
        let _guard = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        if installed::remove_entry(&self.nodes_dir, slug)? {
            tracing::info!(slug, "node entry uninstalled");
            Ok(())
        } else {
            Err(AppError::NotFound(format!(
                "node entry `{slug}` is not installed"
            )))
        }
    }
}

/// The listing for a slug from its built-in and installed sides; `None` when neither exists.
fn listing(builtin: Option<&CatalogEntry>, own: Option<CatalogEntry>) -> Option<CatalogListing> {
    let update_available = match (builtin, &own) {
        (Some(b), Some(o)) => is_newer(&b.version, &o.version),
        _ => false,
    };
    let installed_version = own.as_ref().map(|o| o.version.clone());
    let installed = own.is_some();
    let built_in = builtin.is_some();
    let entry = own.or_else(|| builtin.cloned())?;
    Some(CatalogListing {
        entry,
        installed,
        installed_version,
        update_available,
        built_in,
    })
}

/// `candidate > current` as semver; unparsable versions never offer an update.
fn is_newer(candidate: &str, current: &str) -> bool {
    match (
        semver::Version::parse(candidate),
        semver::Version::parse(current),
    ) {
        (Ok(c), Ok(i)) => c > i,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> (tempfile::TempDir, NodeCatalog) {
        let dir = tempfile::tempdir().unwrap();
        let catalog = NodeCatalog::open(dir.path()).unwrap();
        (dir, catalog)
    }

    #[test]
    fn first_open_installs_every_builtin_and_uninstall_sticks() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = NodeCatalog::open(dir.path()).unwrap();
        assert_eq!(catalog.installed().len(), builtin_entries().len());
        assert!(catalog.nodes_dir().join(installed::SEEDED_MARKER).exists());
        catalog.uninstall("shell-git").unwrap();
        drop(catalog);
        let again = NodeCatalog::open(dir.path()).unwrap();
        assert!(again.installed().iter().all(|e| e.slug != "shell-git"));
        assert_eq!(again.installed().len(), builtin_entries().len() - 1);
    }

    #[test]
    fn listings_cover_builtins_and_installed_only_sorted() {
        let (_dir, catalog) = open();
        let mut custom = builtin_entry("shell-git").unwrap().clone();
        custom.slug = "my-tool".into();
        custom.name = "AAA Mine".into();
        installed::write_entry(catalog.nodes_dir(), &custom).unwrap();
        let all = catalog.listings();
        assert_eq!(all.len(), builtin_entries().len() + 1);
        let mine = all.iter().find(|l| l.entry.slug == "my-tool").unwrap();
        assert!(mine.installed && !mine.built_in && !mine.update_available);
        let keys: Vec<_> = all
            .iter()
            .map(|l| (l.entry.category.to_lowercase(), l.entry.name.to_lowercase()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(all[0].entry.category, "Agentic");
    }

    #[test]
    fn older_installed_version_offers_an_update_and_install_updates_it() {
        let (_dir, catalog) = open();
        let mut old = builtin_entry("cli-gh").unwrap().clone();
        old.version = "0.9.0".into();
        old.name = "Old gh".into();
        installed::write_entry(catalog.nodes_dir(), &old).unwrap();
        let l = catalog.listing("cli-gh").unwrap();
        assert!(l.installed && l.update_available && l.built_in);
        assert_eq!(l.installed_version.as_deref(), Some("0.9.0"));
        assert_eq!(l.entry.name, "Old gh");
        let (l, change) = catalog.install("cli-gh").unwrap();
        assert_eq!(change, InstallChange::Updated);
        assert!(!l.update_available);
        assert_eq!(l.entry.name, "GitHub Command");
        let (_, change) = catalog.install("cli-gh").unwrap();
        assert_eq!(change, InstallChange::Unchanged);
    }

    #[test]
    fn install_and_uninstall_errors() {
        let (_dir, catalog) = open();
        assert!(matches!(
            catalog.install("no-such-node"),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            catalog.install("../etc"),
            Err(AppError::InvalidInput(_))
        ));
        assert!(matches!(
            catalog.uninstall("../../x"),
            Err(AppError::InvalidInput(_))
        ));
        catalog.uninstall("fs-glob").unwrap();
        assert!(matches!(
            catalog.uninstall("fs-glob"),
            Err(AppError::NotFound(_))
        ));
        let (l, change) = catalog.install("fs-glob").unwrap();
        assert_eq!(change, InstallChange::Installed);
        assert!(l.installed);
    }

    #[test]
    fn corrupt_and_invalid_files_are_skipped() {
        let (_dir, catalog) = open();
        let dir = catalog.nodes_dir();
        std::fs::write(dir.join("broken.json"), b"{ not json").unwrap();
        let mut wrong_slug = builtin_entry("fs-glob").unwrap().clone();
        wrong_slug.slug = "other".into();
        std::fs::write(
            dir.join("mismatch.json"),
            serde_json::to_vec(&wrong_slug).unwrap(),
        )
        .unwrap();
        let mut bad_schema = builtin_entry("fs-glob").unwrap().clone();
        bad_schema.slug = "bad-schema".into();
        bad_schema.schema =
            serde_json::json!({"type": "object", "properties": {"a": {"type": "date"}}});
        std::fs::write(
            dir.join("bad-schema.json"),
            serde_json::to_vec(&bad_schema).unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("Not A Slug.json"), b"{}").unwrap();
        std::fs::write(dir.join("notes.txt"), b"hello").unwrap();
        let installed = catalog.installed();
        assert_eq!(installed.len(), builtin_entries().len());
        assert_eq!(catalog.listings().len(), builtin_entries().len());
        // A corrupt file can still be removed by uninstalling its slug.
        catalog.uninstall("broken").unwrap();
    }

    #[test]
    fn concurrent_installs_and_uninstalls_leave_a_consistent_file() {
        let (_dir, catalog) = open();
        let catalog = std::sync::Arc::new(catalog);
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let c = catalog.clone();
                std::thread::spawn(move || {
                    if i % 2 == 0 {
                        c.install("utility-log").map(|_| ())
                    } else {
                        c.uninstall("utility-log")
                    }
                })
            })
            .collect();
        for h in handles {
            match h.join().unwrap() {
                Ok(()) | Err(AppError::NotFound(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        // Whatever won, the file is either absent or a whole, valid entry.
        let path = catalog.nodes_dir().join("utility-log.json");
        if path.exists() {
            assert!(installed::read_one(catalog.nodes_dir(), "utility-log").is_some());
        }
        let leftovers = std::fs::read_dir(catalog.nodes_dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".tmp-")
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
