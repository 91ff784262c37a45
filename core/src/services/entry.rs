//! Service descriptors inside catalog entries: the checks an entry of node type `service` must
//! pass to load, and finding the descriptor a node's `service` id names.

use serde_json::Value;

use super::descriptor::ServiceIntegration;
use crate::nodes::CatalogEntry;

/// The node type service entries create.
pub const SERVICE_NODE_TYPE: &str = "service";

/// Checks a catalog entry's service parts: a `service` entry must carry a valid descriptor whose
/// id is the entry's `identity.service`, and its form must offer what the operations need (an
/// `operation` enum of the operation ids, a `connection` picker, every operation input).
/// Returns the parsed descriptor (`None` for entries of other node types).
pub fn check_entry(entry: &CatalogEntry) -> Result<Option<ServiceIntegration>, String> {
    if entry.node_type != SERVICE_NODE_TYPE {
        return Ok(None);
    }
    let raw = entry
        .service_integration
        .as_ref()
        .ok_or("a service entry needs a `serviceIntegration` descriptor")?;
    let integration = ServiceIntegration::parse(raw)?;
    match entry.identity.get("service") {
        Some(Value::String(id)) if *id == integration.service => {}
        other => {
            return Err(format!(
                "identity.service must be \"{}\" (the descriptor's service), got {}",
                integration.service,
                other.map_or_else(|| "nothing".to_owned(), Value::to_string)
            ));
        }
    }
    let props = entry
        .schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or("a service entry's schema needs properties")?;
    let ids: Vec<Value> = integration
        .operations
        .iter()
        .map(|op| Value::from(op.id.clone()))
        .collect();
    match props.get("operation").and_then(|p| p.get("enum")) {
        Some(Value::Array(listed)) if *listed == ids => {}
        _ => {
            return Err(format!(
                "the schema's `operation` property must be an enum of the operation ids, in order: {}",
                Value::from(ids)
            ));
        }
    }
    if props
        .get("connection")
        .and_then(|p| p.get("format"))
        .and_then(Value::as_str)
        != Some("connection")
    {
        return Err(
            "the schema needs a `connection` property with `format: \"connection\"`".to_owned(),
        );
    }
    for op in &integration.operations {
        for name in op.input_names() {
            if !props.contains_key(name) {
                return Err(format!(
                    "operation `{}` takes `{name}`, which the entry's schema does not show",
                    op.id
                ));
            }
        }
    }
    Ok(Some(integration))
}

/// The descriptor of service `service` among `entries` (the installed catalog), if any entry
/// describes it validly.
pub fn integration_for(entries: &[CatalogEntry], service: &str) -> Option<ServiceIntegration> {
    entries
        .iter()
        .filter(|e| {
            e.node_type == SERVICE_NODE_TYPE
                && e.identity.get("service").and_then(Value::as_str) == Some(service)
        })
        .find_map(|e| check_entry(e).ok().flatten())
}
