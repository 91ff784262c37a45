//! The Template Hub catalog document: `{"apiVersion": "1", "templates": [...]}`, each entry
//! embedding a full flow graph.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::flows::graph::FlowGraph;
use crate::slug::is_valid_slug;

/// The catalog shipped with the core.
const EMBEDDED: &str = include_str!("template_catalog.json");

/// The only `apiVersion` this build reads.
const API_VERSION: &str = "1";

/// One starter flow the hub offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateHubEntry {
    /// Stable id (a slug), used by the install and update commands.
    pub id: String,
    /// Display name; also the installed flow's name.
    pub name: String,
    /// What the flow does and what to set up before running it.
    pub description: String,
    /// Grouping shown on the hub, e.g. `AI` or `Operations`.
    pub category: String,
    /// Search words.
    pub tags: Vec<String>,
    /// Semver version of this entry; a higher one offers an update.
    pub version: String,
    /// Number of nodes in `graph`.
    pub node_count: u32,
    /// Number of edges in `graph`.
    pub edge_count: u32,
    /// The flow itself.
    pub graph: FlowGraph,
}

/// The document as written on disk (counts are computed, not trusted from the file).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogFile {
    api_version: String,
    templates: Vec<FileEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileEntry {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: Vec<String>,
    version: String,
    graph: FlowGraph,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parses and checks a catalog document; `source` names it in errors.
pub fn parse(json: &str, source: &str) -> Result<Vec<TemplateHubEntry>, AppError> {
    let bad = |why: String| AppError::InvalidInput(format!("{source}: {why}"));
    let file: CatalogFile = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if file.api_version != API_VERSION {
        return Err(bad(format!(
            "apiVersion {:?} is not supported (expected {API_VERSION:?})",
            file.api_version
        )));
    }
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(file.templates.len());
    for raw in file.templates {
        if !is_valid_slug(&raw.id) {
            return Err(bad(format!(
                "template id {:?} is not a slug (lowercase letters, digits and single dashes)",
                raw.id
            )));
        }
        if !seen.insert(raw.id.clone()) {
            return Err(bad(format!("template id `{}` appears twice", raw.id)));
        }
        if raw.name.trim().is_empty() {
            return Err(bad(format!("template `{}` has no name", raw.id)));
        }
        if let Err(e) = semver::Version::parse(&raw.version) {
            return Err(bad(format!(
                "template `{}` has version {:?}, which is not semver: {e}",
                raw.id, raw.version
            )));
        }
        // The installed flow carries the entry's name, version and description, so the Flows
        // page shows what the hub card showed.
        let mut graph = raw.graph;
        graph.name = raw.name.trim().to_owned();
        graph.version.clone_from(&raw.version);
        if graph.description.is_none() && !raw.description.is_empty() {
            graph.description = Some(raw.description.clone());
        }
        entries.push(TemplateHubEntry {
            node_count: count(graph.nodes.len()),
            edge_count: count(graph.edges.len()),
            id: raw.id,
            name: graph.name.clone(),
            description: raw.description,
            category: raw.category,
            tags: raw.tags,
            version: raw.version,
            graph,
        });
    }
    Ok(entries)
}

/// The catalog: the override file at `override_path` when it exists, else the embedded one.
pub(super) fn load(override_path: &Path) -> Result<Vec<TemplateHubEntry>, AppError> {
    match std::fs::read_to_string(override_path) {
        Ok(text) => {
            tracing::debug!(path = %override_path.display(), "using a custom Template Hub catalog");
            parse(
                &text,
                &format!("Template Hub catalog {}", override_path.display()),
            )
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
        Err(e) => Err(AppError::io(
            format!("reading {}", override_path.display()),
            e,
        )),
    }
}

/// The embedded catalog.
pub(super) fn embedded() -> Result<Vec<TemplateHubEntry>, AppError> {
    parse(EMBEDDED, "the embedded Template Hub catalog")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_parses_with_computed_counts() {
        let entries = embedded().unwrap();
        assert!(entries.len() >= 6, "{} starters", entries.len());
        for e in &entries {
            assert_eq!(e.node_count as usize, e.graph.nodes.len());
            assert_eq!(e.edge_count as usize, e.graph.edges.len());
            assert_eq!(
                (e.graph.name.as_str(), e.graph.version.as_str()),
                (e.name.as_str(), e.version.as_str())
            );
            assert!(
                !e.description.is_empty() && !e.category.is_empty(),
                "{}",
                e.id
            );
        }
    }

    #[test]
    fn bad_documents_are_refused_naming_the_source() {
        let graph = r#"{"name": "g"}"#;
        let doc = |api: &str, id: &str, version: &str| {
            format!(
                r#"{{"apiVersion": "{api}", "templates": [{{"id": "{id}", "name": "N", "version": "{version}", "graph": {graph}}}]}}"#
            )
        };
        assert_eq!(parse(&doc("1", "ok", "1.2.3"), "x").unwrap()[0].name, "N");
        for (json, needle) in [
            (doc("2", "ok", "1.0.0"), "apiVersion \"2\""),
            (doc("1", "Not A Slug", "1.0.0"), "not a slug"),
            (doc("1", "ok", "v1"), "not semver"),
            ("{".to_owned(), "EOF"),
        ] {
            let err = parse(&json, "my-file.json").unwrap_err();
            assert!(
                matches!(&err, AppError::InvalidInput(m) if m.starts_with("my-file.json: ") && m.contains(needle)),
                "{err:?}"
            );
        }
        let twice = format!(
            r#"{{"apiVersion": "1", "templates": [{0}, {0}]}}"#,
            r#"{"id": "a", "name": "A", "version": "1.0.0", "graph": {"name": "a"}}"#
        );
        assert!(
            parse(&twice, "f")
                .unwrap_err()
                .to_string()
                .contains("appears twice")
        );
    }
}
