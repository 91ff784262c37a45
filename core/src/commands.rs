//! The command table: every command the core serves, listed once.
//!
//! Each transport expands [`for_each_command!`] with a callback macro that receives, per
//! command, its doc comment, name, arguments and result type, and generates its own wrapper
//! (a Tauri command, an HTTP dispatch arm, …). Adding a command means writing one `pub async fn`
//! in a module below and adding one line to the table: no transport changes.

mod board;
pub mod connections;
mod dsl;
mod features;
mod flows;
mod info;
mod llm;
mod models;
mod nodes;
mod runs;
mod schedules;
mod settings;
mod template_hub;
mod theme;

pub use board::{
    NoteAdded, SessionTasksDeleted, TaskDeleted, board_add_note, board_agent_status,
    board_all_tasks, board_delete_session_tasks, board_delete_task, board_session_tasks,
    board_sessions, board_task_times,
};
pub use connections::{
    connection_delete, connection_disconnect, connection_save, connection_test, connections_list,
    oauth_complete, oauth_start,
};
pub use dsl::{dsl_parse, dsl_serialize, flow_validate, validation_context};
pub use features::{
    feature_add_dependency, feature_claim, feature_create, feature_delete, feature_events,
    feature_fail, feature_get, feature_pass, feature_remove_dependency, feature_skip,
    feature_update, features_blocked, features_create_bulk, features_graph, features_list,
    features_ready, features_stats,
};
pub use flows::{
    collection_create, collection_delete, collection_rename, collections_list, flow_delete,
    flow_duplicate, flow_export, flow_get, flow_import, flow_move, flow_rename, flow_revision_diff,
    flow_revision_get, flow_revision_restore, flow_revisions, flow_save, flows_list,
};
pub use info::app_info;
pub use llm::{llm_cancel, llm_chat, llm_chat_stream, llm_load, llm_status, llm_unload};
pub use models::{
    ModelDeleted, import_model_stream, model_delete, model_download_cancel, model_download_pause,
    model_download_resume, model_download_start, model_downloads, model_import_file,
    model_modified_secs, models_catalog, models_installed,
};
pub use nodes::{node_install, node_probe_cli, node_uninstall, nodes_catalog, nodes_installed};
pub use runs::{
    run_cancel, run_confirm, run_events, run_follow, run_get, run_pause, run_rerun, run_resume,
    run_start, run_start_follow, runs_active, runs_list,
};
pub use schedules::{
    schedule_delete, schedule_preview, schedule_set, schedule_set_enabled, schedules_list,
};
pub use settings::{settings_get, settings_manifest, settings_update};
pub use template_hub::{template_hub_install, template_hub_list, template_hub_update};
pub use theme::{theme_get, theme_list, theme_set};

/// Calls `$callback! { ... }` with every command as
/// `#[doc] name(arg: Type, ...) -> Result;`, in a stable order.
#[macro_export]
macro_rules! for_each_command {
    ($callback:ident) => {
        $callback! {
            /// Name, version, edition and data directory of this instance.
            app_info() -> $crate::AppInfo;
            /// The current settings.
            settings_get() -> $crate::settings::Settings;
            /// Applies a partial settings change (validated) and returns the new settings.
            settings_update(patch: $crate::settings::SettingsPatch) -> $crate::settings::Settings;
            /// Describes every setting (label, section, control, range) so forms can be generated.
            settings_manifest() -> ::std::vec::Vec<$crate::settings::SettingField>;
            /// The current theme with its colours.
            theme_get() -> $crate::theme::ThemeState;
            /// Switches the theme (persisted) and returns it with its colours.
            theme_set(theme: $crate::theme::ThemeName) -> $crate::theme::ThemeState;
            /// Every theme with its colours, in picker order.
            theme_list() -> ::std::vec::Vec<$crate::theme::ThemeState>;
            /// Claude Code sessions, newest first: `limit` of them (default 20, 0 = all), or all with `all`.
            board_sessions(limit: ::std::option::Option<u32>, all: ::std::option::Option<bool>) -> $crate::json::Encoded<::std::vec::Vec<$crate::board::SessionListItem>>;
            /// One session's tasks sorted by id (lifecycle tasks only with `include_internal`).
            board_session_tasks(session_id: ::std::string::String, include_internal: ::std::option::Option<bool>) -> $crate::json::Encoded<::std::vec::Vec<$crate::board::Task>>;
            /// Every task of every session, with the session's id, name and project.
            board_all_tasks(include_internal: ::std::option::Option<bool>) -> $crate::json::Encoded<::std::vec::Vec<$crate::board::TaskWithSession>>;
            /// When each task was created and last updated, of one session or (null) of every session.
            board_task_times(session_id: ::std::option::Option<::std::string::String>) -> ::std::vec::Vec<$crate::board::index::TaskTimes>;
            /// Appends a note to a task's description and returns the updated task document.
            board_add_note(session_id: ::std::string::String, task_id: ::std::string::String, note: ::std::string::String) -> $crate::commands::NoteAdded;
            /// Deletes a task unless another task of its session is blocked by it.
            board_delete_task(session_id: ::std::string::String, task_id: ::std::string::String) -> $crate::commands::TaskDeleted;
            /// Deletes every task of a session in dependency order (tasks others wait for go last).
            board_delete_session_tasks(session_id: ::std::string::String) -> $crate::commands::SessionTasksDeleted;
            /// Re-broadcasts an agent's status report to every client (missing keys null, other values as their JSON text).
            board_agent_status(report: $crate::board::agent_status::AgentStatusReport) -> ();
            /// Every feature of the agent board, ordered by priority (lowest first), then id.
            features_list() -> ::std::vec::Vec<$crate::board::features::Feature>;
            /// Creates one feature (a missing priority goes after every other feature).
            feature_create(input: $crate::board::features::CreateFeatureInput) -> $crate::board::features::Feature;
            /// Creates several features in one transaction; dependencies may be `{"index": n}` into the batch.
            features_create_bulk(features: ::std::vec::Vec<$crate::board::features::CreateFeatureInput>) -> ::std::vec::Vec<$crate::board::features::Feature>;
            /// One feature by id.
            feature_get(id: u32) -> $crate::board::features::Feature;
            /// Applies a partial change to a feature (dependency cycles are refused).
            feature_update(id: u32, patch: $crate::board::features::FeaturePatch) -> $crate::board::features::Feature;
            /// Claims a feature (in progress); a conflict if it is already claimed or passing.
            feature_claim(id: u32) -> $crate::board::features::Feature;
            /// Marks a feature passing.
            feature_pass(id: u32) -> $crate::board::features::Feature;
            /// Marks a feature failing.
            feature_fail(id: u32) -> $crate::board::features::Feature;
            /// Moves a feature behind every other one.
            feature_skip(id: u32) -> $crate::board::features::Feature;
            /// Makes a feature depend on another (cycles are refused).
            feature_add_dependency(id: u32, dependency_id: u32) -> $crate::board::features::Feature;
            /// Removes one of a feature's dependencies.
            feature_remove_dependency(id: u32, dependency_id: u32) -> $crate::board::features::Feature;
            /// Feature counts: total, passing, failing, in progress, blocked.
            features_stats() -> $crate::board::features::FeatureStats;
            /// Features an agent can take now: not passing, not claimed, every dependency passing.
            features_ready() -> ::std::vec::Vec<$crate::board::features::Feature>;
            /// Features with a dependency that does not pass.
            features_blocked() -> ::std::vec::Vec<$crate::board::features::Feature>;
            /// The dependency graph: every feature with its dependencies and dependents.
            features_graph() -> ::std::vec::Vec<$crate::board::features::FeatureGraphNode>;
            /// A feature's change log, oldest first.
            feature_events(id: u32) -> ::std::vec::Vec<$crate::board::features::FeatureChangeEvent>;
            /// Deletes a feature (and its change log) and returns it as it was.
            feature_delete(id: u32) -> $crate::board::features::Feature;
            /// Every collection with its flow count, Default first.
            collections_list() -> ::std::vec::Vec<$crate::flows::Collection>;
            /// Creates a collection.
            collection_create(name: ::std::string::String) -> $crate::flows::Collection;
            /// Renames a collection (not Default).
            collection_rename(slug: ::std::string::String, name: ::std::string::String) -> $crate::flows::Collection;
            /// Creates (no slug) or updates (slug + current baseRevision) a flow; a stale revision is a conflict.
            flow_save(input: $crate::flows::SaveFlowInput) -> $crate::flows::FlowDocument;
            /// Saved flows sorted by name, optionally filtered by collection and search text.
            flows_list(query: ::std::option::Option<$crate::flows::FlowListQuery>) -> ::std::vec::Vec<$crate::flows::FlowSummary>;
            /// One saved flow with its current revision.
            flow_get(slug: ::std::string::String) -> $crate::flows::FlowDocument;
            /// Renames a flow (its slug stays); a stale revision is a conflict.
            flow_rename(slug: ::std::string::String, name: ::std::string::String, base_revision: u32) -> $crate::flows::FlowDocument;
            /// Copies a flow under a new name (default "<name> copy") into the same collection.
            flow_duplicate(slug: ::std::string::String, name: ::std::option::Option<::std::string::String>) -> $crate::flows::FlowDocument;
            /// Moves a flow to another collection.
            flow_move(slug: ::std::string::String, collection: ::std::string::String) -> $crate::flows::FlowSummary;
            /// Imports a `.flow` (DSL) or `.flow.json` file as a new flow.
            flow_import(file_name: ::std::string::String, content: ::std::string::String, collection: ::std::option::Option<::std::string::String>) -> $crate::flows::FlowDocument;
            /// A saved flow as a `.flow` or `.flow.json` file to download.
            flow_export(slug: ::std::string::String, format: $crate::flows::FlowFileFormat) -> $crate::flows::ExportedFlow;
            /// The kept revisions of a flow (the last 20), newest first.
            flow_revisions(slug: ::std::string::String) -> ::std::vec::Vec<$crate::flows::RevisionInfo>;
            /// One kept revision of a flow.
            flow_revision_get(slug: ::std::string::String, revision: u32) -> $crate::flows::FlowDocument;
            /// The DSL line diff between two kept revisions.
            flow_revision_diff(slug: ::std::string::String, from: u32, to: u32) -> $crate::flows::RevisionDiff;
            /// Saves a kept revision's graph as the new current revision.
            flow_revision_restore(slug: ::std::string::String, revision: u32, base_revision: u32) -> $crate::flows::FlowDocument;
            /// Deletes a flow: its files first, then its membership and revisions.
            flow_delete(slug: ::std::string::String) -> $crate::flows::FlowDeleted;
            /// Deletes a collection (not Default); its flows move to Default.
            collection_delete(slug: ::std::string::String) -> $crate::flows::CollectionDeleted;
            /// Parses Flow DSL text into a graph; errors name `line:column` and what was expected.
            dsl_parse(source: ::std::string::String) -> $crate::flows::FlowGraph;
            /// Writes a graph as canonical Flow DSL text.
            dsl_serialize(graph: $crate::flows::FlowGraph) -> ::std::string::String;
            /// Checks a flow against the installed catalog: fields, adapters, edges, ids, cycles.
            flow_validate(graph: $crate::flows::FlowGraph) -> $crate::flows::ValidationReport;
            /// Every Template Hub entry with its install state (not installed, installed, update available, edited).
            template_hub_list() -> ::std::vec::Vec<$crate::flows::hub::TemplateHubListing>;
            /// Installs a hub entry as a new flow in `collection` (default Default); installed already is a conflict.
            template_hub_install(id: ::std::string::String, collection: ::std::option::Option<::std::string::String>) -> $crate::flows::hub::TemplateHubInstalled;
            /// Overwrites an installed entry's flow with the hub's version (a new revision); refused when edited unless `force`.
            template_hub_update(id: ::std::string::String, force: ::std::option::Option<bool>) -> $crate::flows::hub::TemplateHubInstalled;
            /// Every node-catalog entry (built in or installed) with its install state.
            nodes_catalog() -> ::std::vec::Vec<$crate::nodes::CatalogListing>;
            /// The installed entries: what the palette offers and validation checks against.
            nodes_installed() -> ::std::vec::Vec<$crate::nodes::CatalogEntry>;
            /// Installs a built-in entry, or updates it when an older version is installed.
            node_install(slug: ::std::string::String) -> $crate::nodes::CatalogListing;
            /// Removes an installed entry; its nodes stay in flows as unsupported stubs.
            node_uninstall(slug: ::std::string::String) -> $crate::nodes::NodeUninstalled;
            /// Runs a CLI preset's version command (argv only, with a timeout) and compares versions.
            node_probe_cli(slug: ::std::string::String) -> $crate::nodes::CliProbe;
            /// Every downloadable model in the Model Hub catalog.
            models_catalog() -> ::std::vec::Vec<$crate::models::CatalogModel>;
            /// The GGUF files under `llms/` with their header metadata (unreadable ones carry `error`).
            models_installed() -> ::std::vec::Vec<$crate::models::InstalledModel>;
            /// Running, paused (partial files left by an earlier process included) and failed model downloads.
            model_downloads() -> ::std::vec::Vec<$crate::models::ModelDownload>;
            /// Starts downloading a catalog model (resuming its partial file; an installed one is a conflict); progress streams as `model-download` events.
            model_download_start(id: ::std::string::String) -> $crate::models::ModelDownload;
            /// Pauses a model download, keeping its partial file.
            model_download_pause(id: ::std::string::String) -> $crate::models::ModelDownload;
            /// Resumes a paused or failed model download from its partial file.
            model_download_resume(id: ::std::string::String) -> $crate::models::ModelDownload;
            /// Stops a model download and deletes its partial file.
            model_download_cancel(id: ::std::string::String) -> $crate::models::ModelDownload;
            /// Deletes an installed model file, unloading it first.
            model_delete(file_name: ::std::string::String) -> $crate::commands::ModelDeleted;
            /// Imports a GGUF file from a path on the core's machine into `llms/`.
            model_import_file(path: ::std::string::String) -> $crate::models::InstalledModel;
            /// The model runtime: loaded models, memory, queue, endpoint.
            llm_status() -> $crate::llm::LlmStatus;
            /// Loads (warms up) a model (default: the one used last, else the first installed), evicting the least recently used past the limits.
            llm_load(model: ::std::option::Option<::std::string::String>, params: ::std::option::Option<$crate::llm::ModelParams>) -> $crate::llm::LlmStatus;
            /// Unloads one model, or all of them.
            llm_unload(model: ::std::option::Option<::std::string::String>) -> $crate::llm::LlmStatus;
            /// Generates an answer, streaming `llm-token` events.
            llm_chat(request: $crate::llm::ChatRequest) -> $crate::llm::ChatResult;
            /// Cancels a running or queued `llm_chat` by its request id.
            llm_cancel(request_id: ::std::string::String) -> $crate::llm::LlmCancelled;
            /// Starts a run of a graph, a saved flow or DSL text (validated first), filed under `trigger` (default manual); its events stream as `execution` events.
            run_start(source: $crate::engine::RunSource, options: ::std::option::Option<$crate::engine::RunOptions>, trigger: ::std::option::Option<$crate::engine::RunTrigger>) -> $crate::engine::RunStarted;
            /// Holds a run's new work at the next node boundary.
            run_pause(execution_id: ::std::string::String) -> $crate::engine::RunState;
            /// Lets a paused run go on.
            run_resume(execution_id: ::std::string::String) -> $crate::engine::RunState;
            /// Stops a run: no new nodes, running child processes killed.
            run_cancel(execution_id: ::std::string::String) -> $crate::engine::RunState;
            /// Approves (runs) or denies (fails) the destructive node a run waits on.
            run_confirm(execution_id: ::std::string::String, node_id: ::std::string::String, approve: bool) -> $crate::engine::RunState;
            /// Runs that have not ended.
            runs_active() -> ::std::vec::Vec<$crate::engine::RunState>;
            /// Run history, newest first, filtered by flow, status, trigger and text.
            runs_list(filter: ::std::option::Option<$crate::history::RunFilter>) -> ::std::vec::Vec<$crate::history::RunSummary>;
            /// One run with its graph, steps and interceptions.
            run_get(execution_id: ::std::string::String) -> $crate::history::RunDetail;
            /// A page of a run's recorded events (optionally one node's) after `afterSeq`.
            run_events(execution_id: ::std::string::String, after_seq: ::std::option::Option<u32>, limit: ::std::option::Option<u32>, node_id: ::std::option::Option<::std::string::String>) -> $crate::history::RunEventsPage;
            /// Runs an earlier run's graph again; from a node, reusing the outputs of the nodes before it.
            run_rerun(execution_id: ::std::string::String, from_node: ::std::option::Option<::std::string::String>) -> $crate::engine::RunStarted;
            /// Every connection (metadata only, never a secret) with the saved flows that use it.
            connections_list() -> ::std::vec::Vec<$crate::credentials::Connection>;
            /// Creates or updates a connection; its secret goes to the credential store only.
            connection_save(input: $crate::credentials::ConnectionInput) -> $crate::credentials::Connection;
            /// Drops an OAuth connection's tokens; the connection and its client secret stay.
            connection_disconnect(id: ::std::string::String) -> $crate::credentials::Connection;
            /// Tries a connection against its service's test operation.
            connection_test(id: ::std::string::String) -> $crate::credentials::ConnectionTest;
            /// Starts connecting an OAuth 2 account; `redirectBase` is the origin the browser reached this instance at (absent: a loopback redirect, desktop).
            oauth_start(id: ::std::string::String, redirect_base: ::std::option::Option<::std::string::String>) -> $crate::credentials::OAuthStart;
            /// Completes an OAuth 2 grant from the provider's redirect; `state` is single-use.
            oauth_complete(state: ::std::string::String, code: ::std::option::Option<::std::string::String>, error: ::std::option::Option<::std::string::String>) -> $crate::credentials::Connection;
            /// Deletes a connection and its secret; refused while saved flows use it unless `force`.
            connection_delete(id: ::std::string::String, force: ::std::option::Option<bool>) -> $crate::credentials::ConnectionDeleted;
            /// Every schedule, by next firing.
            schedules_list() -> ::std::vec::Vec<$crate::scheduler::Schedule>;
            /// Creates or replaces a saved flow's schedule.
            schedule_set(slug: ::std::string::String, spec: $crate::scheduler::ScheduleSpec) -> $crate::scheduler::Schedule;
            /// Turns a schedule on or off (its settings and counts stay).
            schedule_set_enabled(slug: ::std::string::String, enabled: bool) -> $crate::scheduler::Schedule;
            /// Removes a saved flow's schedule.
            schedule_delete(slug: ::std::string::String) -> $crate::scheduler::ScheduleDeleted;
            /// The next firings of a schedule (default 5, at most 100), without saving it.
            schedule_preview(spec: $crate::scheduler::ScheduleSpec, count: ::std::option::Option<u32>) -> ::std::vec::Vec<::std::string::String>;
        }
    };
}

macro_rules! command_names {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// The names of every command, in table order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}
for_each_command!(command_names);
