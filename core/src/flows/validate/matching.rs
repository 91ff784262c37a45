//! Which catalog entry a flow node belongs to (here rather than in `nodes`, which knows nothing
//! of flows: validation is what asks).

use crate::flows::graph::FlowNode;
use crate::nodes::CatalogEntry;

/// The entry whose `node_type` equals the node's type and whose every identity key has an equal
/// value in the node's `data`; the most specific (most identity keys) wins, so
/// `{adapter, actionId, bin}` beats a looser `{adapter, actionId}`.
pub(crate) fn entry_for<'a>(
    node: &FlowNode,
    installed: &'a [CatalogEntry],
) -> Option<&'a CatalogEntry> {
    installed
        .iter()
        .filter(|e| e.node_type == node.node_type && identity_matches(e, node))
        // `max_by_key` keeps the last maximum; reversing keeps the first, i.e. list order on ties.
        .rev()
        .max_by_key(|e| e.identity.len())
}

fn identity_matches(entry: &CatalogEntry, node: &FlowNode) -> bool {
    entry
        .identity
        .iter()
        .all(|(k, v)| node.data.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::nodes::builtin_entries;

    fn node(node_type: &str, data: serde_json::Value) -> FlowNode {
        serde_json::from_value(json!({"id": "n", "type": node_type, "data": data})).unwrap()
    }

    #[test]
    fn matches_type_and_identity() {
        let all = builtin_entries();
        let slug = |n: &FlowNode| entry_for(n, all).map(|e| e.slug.as_str());
        assert_eq!(
            slug(&node(
                "action",
                json!({"adapter": "shell", "actionId": "git", "x": 1})
            )),
            Some("shell-git")
        );
        assert_eq!(
            slug(&node(
                "action",
                json!({"adapter": "cli", "actionId": "cli-tool", "bin": "gh"})
            )),
            Some("cli-gh")
        );
        assert_eq!(
            slug(&node("ai", json!({"provider": "local"}))),
            Some("ai-local")
        );
        assert_eq!(slug(&node("agentic", json!({}))), Some("agentic-generator"));
        assert_eq!(
            slug(&node(
                "utility",
                json!({"adapter": "shell", "actionId": "git"})
            )),
            None
        );
        assert_eq!(slug(&node("action", json!({"adapter": "shell"}))), None);
        assert_eq!(
            slug(&node(
                "action",
                json!({"adapter": "cli", "actionId": "cli-tool"})
            )),
            None
        );
    }

    #[test]
    fn prefers_the_most_specific_entry() {
        let mut loose = builtin_entries()
            .iter()
            .find(|e| e.slug == "cli-gh")
            .unwrap()
            .clone();
        loose.slug = "cli-any".into();
        loose.identity.remove("bin");
        let gh = builtin_entries()
            .iter()
            .find(|e| e.slug == "cli-gh")
            .unwrap()
            .clone();
        let list = vec![loose, gh];
        let n = node(
            "action",
            json!({"adapter": "cli", "actionId": "cli-tool", "bin": "gh"}),
        );
        assert_eq!(entry_for(&n, &list).unwrap().slug, "cli-gh");
        let n = node(
            "action",
            json!({"adapter": "cli", "actionId": "cli-tool", "bin": "az"}),
        );
        assert_eq!(entry_for(&n, &list).unwrap().slug, "cli-any");
    }
}
