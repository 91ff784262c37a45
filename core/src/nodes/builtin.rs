//! The entries shipped with Flow, embedded as JSON so they can be edited without touching code.

use std::sync::LazyLock;

use super::entry::CatalogEntry;

/// The embedded catalog; a unit test proves it parses and every entry is self-consistent.
const BUILTIN_JSON: &str = include_str!("builtin_catalog.json");

static BUILTIN: LazyLock<Vec<CatalogEntry>> = LazyLock::new(|| {
    serde_json::from_str(BUILTIN_JSON).unwrap_or_else(|err| {
        // Unreachable in a tested build; an empty catalog beats a crashed app.
        tracing::error!(%err, "the built-in node catalog does not parse");
        Vec::new()
    })
});

/// Every built-in entry, in file order.
pub fn builtin_entries() -> &'static [CatalogEntry] {
    &BUILTIN
}

/// The built-in entry with this slug.
pub fn builtin_entry(slug: &str) -> Option<&'static CatalogEntry> {
    BUILTIN.iter().find(|e| e.slug == slug)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::nodes::schema::{check_schema, validate_fields};
    use crate::slug::is_valid_slug;

    #[test]
    fn builtin_catalog_parses_and_every_entry_is_self_consistent() {
        let entries: Vec<CatalogEntry> = serde_json::from_str(BUILTIN_JSON).unwrap();
        assert_eq!(entries.len(), builtin_entries().len());
        assert!(entries.len() >= 24);
        let mut slugs = HashSet::new();
        for e in &entries {
            assert!(is_valid_slug(&e.slug), "{}", e.slug);
            assert!(slugs.insert(e.slug.clone()), "duplicate slug {}", e.slug);
            // That its node type is one flows know is checked in `flows::validate`'s tests.
            semver::Version::parse(&e.version).unwrap();
            check_schema(&e.schema).unwrap_or_else(|err| panic!("{}: {err}", e.slug));
            // Required fields without a safe default are left out on purpose (the inspector
            // flags them); every value a default does set must satisfy the schema.
            let errors: Vec<_> = validate_fields(&e.schema, &e.defaults)
                .into_iter()
                .filter(|f| f.code != "required")
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", e.slug);
            if let Some(tool) = &e.cli_tool {
                semver::Version::parse(&tool.version).unwrap();
            }
            // Service entries carry a descriptor that loads (the same check as a file under
            // `nodes/`).
            crate::services::check_entry(e).unwrap_or_else(|err| panic!("{}: {err}", e.slug));
        }
        for slug in [
            "shell-run-command",
            "shell-curl",
            "fs-grep",
            "cli-gh",
            "cli-zowe",
            "utility-cron",
            "ai-local",
            "ai-openai",
            "service-http-request",
            "service-github",
            "service-slack",
            "agentic-generator",
        ] {
            assert!(builtin_entry(slug).is_some(), "{slug}");
        }
    }

    #[test]
    fn builtin_identities_are_distinct() {
        let mut seen = HashSet::new();
        for e in builtin_entries() {
            let key = format!(
                "{}:{}",
                e.node_type,
                serde_json::Value::from(e.identity.clone())
            );
            assert!(seen.insert(key), "{} shares its identity", e.slug);
        }
    }
}
