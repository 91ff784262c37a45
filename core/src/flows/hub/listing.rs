//! The wire shapes of the hub: an entry with its install state, and what install/update return.

use serde::{Deserialize, Serialize};

use super::catalog::TemplateHubEntry;
use super::installs::InstallRow;
use crate::flows::document::FlowDocument;
use crate::flows::store::CurrentFlow;

/// The badge of a hub entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum TemplateStatus {
    /// No saved flow came from this entry (or it was deleted).
    NotInstalled,
    /// Installed and untouched, at the catalog's version.
    Installed,
    /// Installed and untouched; the catalog has a newer version.
    UpdateAvailable,
    /// Installed, then edited by the user: an update would overwrite the edit.
    Edited,
}

/// Which saved flow an entry became and how it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InstalledTemplate {
    /// The saved flow's slug (open it at `/flows/<slug>`).
    pub slug: String,
    /// The hub version installed.
    pub version: String,
    /// When it was installed or last updated (RFC 3339).
    pub installed_at: String,
    /// The flow revision the hub wrote.
    pub installed_revision: u32,
    /// The flow's current revision.
    pub current_revision: u32,
    /// The flow's content differs from what the hub wrote.
    pub edited: bool,
}

/// One hub entry with its install state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateHubListing {
    /// The entry as the catalog offers it.
    pub entry: TemplateHubEntry,
    /// The badge: not installed, installed, update available or edited.
    pub status: TemplateStatus,
    /// The catalog's version is newer than the installed one (also when edited).
    pub update_available: bool,
    /// The installed flow, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed: Option<InstalledTemplate>,
}

/// What `template_hub_install` and `template_hub_update` return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateHubInstalled {
    /// The entry's new state.
    pub listing: TemplateHubListing,
    /// The saved flow as it now is.
    pub flow: FlowDocument,
}

/// `candidate > current` as semver; unparsable versions never offer an update.
pub(super) fn is_newer(candidate: &str, current: &str) -> bool {
    match (
        semver::Version::parse(candidate),
        semver::Version::parse(current),
    ) {
        (Ok(c), Ok(i)) => c > i,
        _ => false,
    }
}

/// The listing of `entry` given its install row and the installed flow's current state.
pub(super) fn listing(
    entry: &TemplateHubEntry,
    install: Option<(&InstallRow, &CurrentFlow)>,
) -> TemplateHubListing {
    let Some((row, current)) = install else {
        return TemplateHubListing {
            entry: entry.clone(),
            status: TemplateStatus::NotInstalled,
            update_available: false,
            installed: None,
        };
    };
    let edited = current.content_hash != row.content_hash;
    let update_available = is_newer(&entry.version, &row.hub_version);
    let status = match (edited, update_available) {
        (true, _) => TemplateStatus::Edited,
        (false, true) => TemplateStatus::UpdateAvailable,
        (false, false) => TemplateStatus::Installed,
    };
    TemplateHubListing {
        entry: entry.clone(),
        status,
        update_available,
        installed: Some(InstalledTemplate {
            slug: row.flow_slug.clone(),
            version: row.hub_version.clone(),
            installed_at: row.installed_at.clone(),
            installed_revision: row.revision,
            current_revision: current.document.revision,
            edited,
        }),
    }
}

/// The listing of an installed entry whose flow file no longer parses: edited, by definition.
pub(super) fn unreadable(entry: &TemplateHubEntry, row: &InstallRow) -> TemplateHubListing {
    TemplateHubListing {
        entry: entry.clone(),
        status: TemplateStatus::Edited,
        update_available: is_newer(&entry.version, &row.hub_version),
        installed: Some(InstalledTemplate {
            slug: row.flow_slug.clone(),
            version: row.hub_version.clone(),
            installed_at: row.installed_at.clone(),
            installed_revision: row.revision,
            current_revision: row.revision,
            edited: true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_semver() {
        assert!(is_newer("1.10.0", "1.9.0"));
        assert!(!is_newer("1.0.0", "1.0.0"));
        assert!(!is_newer("2.0.0", "junk"));
    }
}
