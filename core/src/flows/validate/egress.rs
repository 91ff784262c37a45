//! Egress gates and connections: service nodes while `allow_services` is off, cloud AI
//! providers that are not allowed, and `connection` fields naming a connection that does not
//! exist or belongs to another service.

use serde_json::Value;

use super::{ValidationContext, ValidationIssue};
use crate::credentials::ConnectionStatus;
use crate::flows::graph::{FlowGraph, FlowNode};
use crate::nodes::schema::is_templated;

/// The message a service node gets while services are off (also the adapter's refusal).
pub const SERVICES_OFF: &str =
    "service nodes are turned off: enable Settings → Services → Service nodes";

/// The provider an `ai` node runs on when it names none.
const LOCAL_PROVIDER: &str = "local";

/// Why `provider` may not be used, or `None` when it may.
pub fn cloud_refusal(settings: &crate::settings::Settings, provider: &str) -> Option<String> {
    if settings.cloud_provider_allowed(provider) {
        None
    } else if !settings.allow_cloud_ai {
        Some(format!(
            "cloud AI is turned off: enable Settings → AI → Cloud providers to use `{provider}`"
        ))
    } else {
        Some(format!(
            "the `{provider}` provider is turned off: enable it in Settings → AI → Cloud provider switches"
        ))
    }
}

fn text<'a>(node: &'a FlowNode, key: &str) -> Option<&'a str> {
    node.data.get(key).and_then(Value::as_str)
}

/// The service a node's connection must belong to, when the node uses connections.
fn connection_service(node: &FlowNode) -> Option<&str> {
    match node.node_type.as_str() {
        "service" => text(node, "service"),
        "ai" => text(node, "provider").filter(|p| *p != LOCAL_PROVIDER),
        _ => None,
    }
}

pub(super) fn check(graph: &FlowGraph, ctx: &ValidationContext) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    for node in &graph.nodes {
        if node.node_type == "service" && !ctx.settings.allow_services {
            issues.push(ValidationIssue::error("services-off", SERVICES_OFF).node(&node.id));
        }
        if node.node_type == "ai" {
            let provider = text(node, "provider").unwrap_or(LOCAL_PROVIDER);
            if provider != LOCAL_PROVIDER
                && !is_templated(provider)
                && let Some(why) = cloud_refusal(&ctx.settings, provider)
            {
                issues.push(
                    ValidationIssue::error("cloud-ai-off", why)
                        .node(&node.id)
                        .field("provider"),
                );
            }
        }
        let Some(service) = connection_service(node) else {
            continue;
        };
        let Some(id) = text(node, "connection").filter(|id| !id.trim().is_empty()) else {
            continue;
        };
        if is_templated(id) {
            continue;
        }
        match ctx.connections.iter().find(|c| c.id == id) {
            None => issues.push(
                ValidationIssue::error(
                    "unknown-connection",
                    format!(
                        "Connection `{id}` does not exist; pick a saved connection or add one in Settings → Connections"
                    ),
                )
                .node(&node.id)
                .field("connection"),
            ),
            Some(c) if c.service != service => issues.push(
                ValidationIssue::error(
                    "connection-service-mismatch",
                    format!(
                        "Connection `{id}` is for `{}`, but this node calls `{service}`; pick a {service} connection",
                        c.service
                    ),
                )
                .node(&node.id)
                .field("connection"),
            ),
            Some(c) if c.status != ConnectionStatus::Ready => issues.push(
                ValidationIssue::warning(
                    "connection-not-ready",
                    format!(
                        "Connection `{id}` is not ready ({}); finish it in Settings → Connections",
                        match c.status {
                            ConnectionStatus::MissingSecret => "no secret stored",
                            ConnectionStatus::NotConnected => "no account connected",
                            ConnectionStatus::NeedsReconnect => "it must be connected again",
                            ConnectionStatus::Ready => "ready",
                        }
                    ),
                )
                .node(&node.id)
                .field("connection"),
            ),
            Some(_) => {}
        }
    }
    issues
}
