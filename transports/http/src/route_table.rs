//! A router that also lists the paths it routes, so the auth walk (`tests/tests/auth_walk.rs`)
//! walks the real table, not a copy of it that could drift.

use axum::Router;
use axum::routing::MethodRouter;

use crate::router::HttpState;

/// One routed path and whether the bearer gate stands in front of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRoute {
    /// The path as routed, with `{param}` placeholders, e.g. `/api/sessions/{session_id}`.
    pub path: String,
    /// Behind the bearer gate (everything but `/health`, the OAuth callback and signing out).
    pub gated: bool,
}

/// Routes being put together, with their paths.
pub(crate) struct Table {
    router: Router<HttpState>,
    paths: Vec<String>,
}

impl Table {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// Routes `path` to `methods`.
    pub fn route(mut self, path: &str, methods: MethodRouter<HttpState>) -> Self {
        self.router = self.router.route(path, methods);
        self.paths.push(path.to_owned());
        self
    }

    /// Adds another table's routes.
    pub fn merge(mut self, other: Table) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// The router and its paths, each under `prefix`.
    pub fn into_parts(self, prefix: &str) -> (Router<HttpState>, Vec<String>) {
        let paths = self
            .paths
            .into_iter()
            .map(|p| format!("{prefix}{p}"))
            .collect();
        (self.router, paths)
    }
}
