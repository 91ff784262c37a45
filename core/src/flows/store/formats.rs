//! Import and export: `.flow` (DSL) and `.flow.json` (canonical JSON) files.

use crate::AppError;
use crate::flows::document::{ExportedFlow, FlowFileFormat};
use crate::flows::dsl;
use crate::flows::graph::FlowGraph;

/// The largest file `flow_import` accepts.
pub(super) const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

/// The canonical file bytes of a graph: pretty JSON with a trailing newline.
pub(super) fn to_json(graph: &FlowGraph) -> Result<Vec<u8>, AppError> {
    let mut bytes = serde_json::to_vec_pretty(graph)
        .map_err(|e| AppError::Internal(format!("serialising flow {}: {e}", graph.id)))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Which format a file is: by its name, else by sniffing its first character.
pub(super) fn detect(file_name: &str, content: &str) -> FlowFileFormat {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        FlowFileFormat::Json
    } else if lower.ends_with(".flow") {
        FlowFileFormat::Dsl
    } else if content.trim_start().starts_with('{') {
        FlowFileFormat::Json
    } else {
        FlowFileFormat::Dsl
    }
}

/// Parses an uploaded file into a graph, with an error naming the file and the position.
pub(super) fn parse_import(file_name: &str, content: &str) -> Result<FlowGraph, AppError> {
    if content.len() > MAX_IMPORT_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "{file_name} is {} bytes; flows up to {MAX_IMPORT_BYTES} bytes can be imported",
            content.len()
        )));
    }
    match detect(file_name, content) {
        FlowFileFormat::Json => serde_json::from_str(content).map_err(|e| {
            AppError::InvalidInput(format!(
                "{file_name} is not a valid flow JSON file (line {}, column {}): {e}",
                e.line(),
                e.column()
            ))
        }),
        FlowFileFormat::Dsl => dsl::parse(content).map_err(|e| {
            AppError::InvalidInput(format!(
                "{file_name}:{}:{}: {}",
                e.line, e.column, e.message
            ))
        }),
    }
}

/// A graph as a downloadable file.
pub(super) fn export(
    slug: &str,
    graph: &FlowGraph,
    format: FlowFileFormat,
) -> Result<ExportedFlow, AppError> {
    Ok(match format {
        FlowFileFormat::Dsl => ExportedFlow {
            file_name: format!("{slug}.flow"),
            mime_type: "text/plain; charset=utf-8".to_owned(),
            content: dsl::serialize(graph),
        },
        FlowFileFormat::Json => ExportedFlow {
            file_name: format!("{slug}.flow.json"),
            mime_type: "application/json".to_owned(),
            content: String::from_utf8(to_json(graph)?)
                .map_err(|e| AppError::Internal(format!("exporting {slug}: {e}")))?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_name_then_sniffed() {
        assert_eq!(detect("a.flow.json", ""), FlowFileFormat::Json);
        assert_eq!(detect("a.JSON", ""), FlowFileFormat::Json);
        assert_eq!(detect("a.flow", "{"), FlowFileFormat::Dsl);
        assert_eq!(detect("upload", "  {\"name\":1}"), FlowFileFormat::Json);
        assert_eq!(detect("upload", "flow \"x\""), FlowFileFormat::Dsl);
    }

    #[test]
    fn bad_json_names_file_and_position() {
        let err = parse_import("x.flow.json", "{\n  \"name\": 3\n}").unwrap_err();
        assert!(
            matches!(&err, AppError::InvalidInput(m) if m.contains("x.flow.json") && m.contains("line 2")),
            "{err:?}"
        );
        let big = "a".repeat(MAX_IMPORT_BYTES + 1);
        assert!(matches!(
            parse_import("x.flow", &big),
            Err(AppError::PayloadTooLarge(_))
        ));
    }

    #[test]
    fn json_round_trips() {
        let graph = FlowGraph::new("A");
        let out = export("a", &graph, FlowFileFormat::Json).unwrap();
        assert_eq!(out.file_name, "a.flow.json");
        assert_eq!(parse_import(&out.file_name, &out.content).unwrap(), graph);
    }
}
