//! The command table: every command the core serves, listed once.
//!
//! Each transport expands [`for_each_command!`] with a callback macro that receives, per
//! command, its doc comment, name, arguments and result type, and generates its own wrapper
//! (a Tauri command, an HTTP dispatch arm, …). Adding a command means writing one `pub async fn`
//! in a module below and adding one line to the table: no transport changes.
//!
//! A command's doc comment is its line in the table, and only there: it becomes the Tauri
//! command's and the TypeScript binding's doc, so the functions carry none (a test holds that).
//! Table lines name types short: a callback expands the table where [`signature`]'s names are
//! in scope (`use flow_core::commands::signature::*;`).

mod agentic;
mod board;
pub mod connections;
mod dsl;
mod features;
mod flows;
mod info;
mod llm;
mod models;
mod nodes;
mod privacy;
mod runs;
mod schedules;
mod settings;
mod template_hub;
mod theme;

pub use agentic::{
    agentic_accept, agentic_audit, agentic_generate, agentic_intercept_decide,
    agentic_interception, agentic_interception_revert, agentic_interceptions, agentic_proposal,
    agentic_proposals, agentic_reject,
};
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
pub use privacy::privacy_preview;
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
            app_info() -> AppInfo;
            /// The current settings.
            settings_get() -> Settings;
            /// Applies a validated partial change and returns the new settings (`settings-changed` when anything changed).
            settings_update(patch: SettingsPatch) -> Settings;
            /// Describes every setting (label, section, control, range) so forms can be generated.
            settings_manifest() -> Vec<SettingField>;
            /// What a model would see of `text`: the built-in detectors plus `rules` (absent: the saved `privacy_rules`), each match as a placeholder, with every replacement listed (text at most 1 MiB).
            privacy_preview(text: String, rules: Option<Vec<PrivacyRule>>) -> PrivacyPreview;
            /// The current theme with its colours.
            theme_get() -> ThemeState;
            /// Switches the theme (persisted) and returns it with its colours.
            theme_set(theme: ThemeName) -> ThemeState;
            /// Every theme with its colours, in picker order.
            theme_list() -> Vec<ThemeState>;
            /// Claude Code sessions, newest first: `limit` of them (default 20, 0 = all), or all with `all`.
            board_sessions(limit: Option<u32>, all: Option<bool>) -> Encoded<Vec<SessionListItem>>;
            /// One session's tasks by id (lifecycle tasks only with `include_internal`).
            board_session_tasks(session_id: String, include_internal: Option<bool>) -> Encoded<Vec<Task>>;
            /// Every task of every session, with the session's id, name and project.
            board_all_tasks(include_internal: Option<bool>) -> Encoded<Vec<TaskWithSession>>;
            /// When each task was created and last updated, of one session or (null) of every session.
            board_task_times(session_id: Option<String>) -> Vec<TaskTimes>;
            /// Appends a note to a task's description (the original's note block) and returns the task.
            board_add_note(session_id: String, task_id: String, note: String) -> NoteAdded;
            /// Deletes a task unless another task of its session is blocked by it.
            board_delete_task(session_id: String, task_id: String) -> TaskDeleted;
            /// Deletes every task of a session in dependency order (tasks others wait for go last).
            board_delete_session_tasks(session_id: String) -> SessionTasksDeleted;
            /// Re-broadcasts an agent's status report to every client (missing keys null, other values as their JSON text).
            board_agent_status(report: AgentStatusReport) -> ();
            /// Every feature of the agent board, ordered by priority (lowest first), then id.
            features_list() -> Vec<Feature>;
            /// Creates one feature (a missing priority goes after every other feature).
            feature_create(input: CreateFeatureInput) -> Feature;
            /// Creates several features, all or none; dependencies may be `{"index": n}` into the batch.
            features_create_bulk(features: Vec<CreateFeatureInput>) -> Vec<Feature>;
            /// One feature by id.
            feature_get(id: u32) -> Feature;
            /// Applies a partial change to a feature (dependency cycles are refused).
            feature_update(id: u32, patch: FeaturePatch) -> Feature;
            /// Claims a feature for an agent (in progress); a conflict if it is already claimed or passing.
            feature_claim(id: u32) -> Feature;
            /// Marks a feature passing.
            feature_pass(id: u32) -> Feature;
            /// Marks a feature failing.
            feature_fail(id: u32) -> Feature;
            /// Moves a feature behind every other one.
            feature_skip(id: u32) -> Feature;
            /// Makes a feature depend on another (cycles are refused).
            feature_add_dependency(id: u32, dependency_id: u32) -> Feature;
            /// Removes one of a feature's dependencies.
            feature_remove_dependency(id: u32, dependency_id: u32) -> Feature;
            /// Feature counts: total, passing, failing, in progress, blocked.
            features_stats() -> FeatureStats;
            /// Features an agent can take now: not passing, not claimed, every dependency passing.
            features_ready() -> Vec<Feature>;
            /// Features waiting on a dependency that does not pass.
            features_blocked() -> Vec<Feature>;
            /// The dependency graph: every feature with its dependencies and dependents.
            features_graph() -> Vec<FeatureGraphNode>;
            /// A feature's change log, oldest first.
            feature_events(id: u32) -> Vec<FeatureChangeEvent>;
            /// Deletes a feature (and its change log) and returns it as it was.
            feature_delete(id: u32) -> Feature;
            /// Every collection with its flow count, Default first.
            collections_list() -> Vec<Collection>;
            /// Creates a collection.
            collection_create(name: String) -> Collection;
            /// Renames a collection (not Default).
            collection_rename(slug: String, name: String) -> Collection;
            /// Creates (no slug) or updates (slug + current `baseRevision`) a flow; a stale revision is a conflict.
            flow_save(input: SaveFlowInput) -> FlowDocument;
            /// Saved flows sorted by name, optionally filtered by collection and search text.
            flows_list(query: Option<FlowListQuery>) -> Vec<FlowSummary>;
            /// One saved flow with its current revision.
            flow_get(slug: String) -> FlowDocument;
            /// Renames a flow (its slug stays); a stale revision is a conflict.
            flow_rename(slug: String, name: String, base_revision: u32) -> FlowDocument;
            /// Copies a flow under a new name (default "<name> copy") into the same collection.
            flow_duplicate(slug: String, name: Option<String>) -> FlowDocument;
            /// Moves a flow to another collection.
            flow_move(slug: String, collection: String) -> FlowSummary;
            /// Imports a `.flow` (DSL) or `.flow.json` file as a new flow.
            flow_import(file_name: String, content: String, collection: Option<String>) -> FlowDocument;
            /// A saved flow as a `.flow` or `.flow.json` file to download.
            flow_export(slug: String, format: FlowFileFormat) -> ExportedFlow;
            /// The kept revisions of a flow (the last 20), newest first.
            flow_revisions(slug: String) -> Vec<RevisionInfo>;
            /// One kept revision of a flow.
            flow_revision_get(slug: String, revision: u32) -> FlowDocument;
            /// The DSL line diff between two kept revisions.
            flow_revision_diff(slug: String, from: u32, to: u32) -> RevisionDiff;
            /// Saves a kept revision's graph as the new current revision.
            flow_revision_restore(slug: String, revision: u32, base_revision: u32) -> FlowDocument;
            /// Deletes a flow: its files first, then its membership and revisions.
            flow_delete(slug: String) -> FlowDeleted;
            /// Deletes a collection (not Default); its flows move to Default.
            collection_delete(slug: String) -> CollectionDeleted;
            /// Parses Flow DSL text into a graph; errors name `line:column` and what was expected.
            dsl_parse(source: String) -> FlowGraph;
            /// Writes a graph as canonical Flow DSL text.
            dsl_serialize(graph: FlowGraph) -> String;
            /// Checks a flow against the installed catalog (fields, adapters, edges, ids, cycles), the egress switches and the connections.
            flow_validate(graph: FlowGraph) -> ValidationReport;
            /// Every Template Hub entry with its install state (not installed, installed, update available, edited).
            template_hub_list() -> Vec<TemplateHubListing>;
            /// Installs a hub entry as a new flow in `collection` (default Default); installed already is a conflict.
            template_hub_install(id: String, collection: Option<String>) -> TemplateHubInstalled;
            /// Overwrites an installed entry's flow with the hub's version (a new revision); refused when edited unless `force`.
            template_hub_update(id: String, force: Option<bool>) -> TemplateHubInstalled;
            /// Every node-catalog entry (built in or installed) with its install state.
            nodes_catalog() -> Vec<CatalogListing>;
            /// The installed entries: what the palette offers and validation checks against.
            nodes_installed() -> Vec<CatalogEntry>;
            /// Installs a built-in entry, or updates it when an older version is installed.
            node_install(slug: String) -> CatalogListing;
            /// Removes an installed entry; nodes of that type stay in flows as unsupported stubs.
            node_uninstall(slug: String) -> NodeUninstalled;
            /// Runs a CLI preset's version command (argv only, with a timeout) and compares versions.
            node_probe_cli(slug: String) -> CliProbe;
            /// Every downloadable model in the Model Hub catalog.
            models_catalog() -> Vec<CatalogModel>;
            /// The GGUF files under `llms/` with their header metadata (unreadable ones carry `error`).
            models_installed() -> Vec<InstalledModel>;
            /// Running, paused (partial files left by an earlier process included) and failed model downloads.
            model_downloads() -> Vec<ModelDownload>;
            /// Starts downloading a catalog model (resuming its partial file; installed is a conflict); progress streams as `model-download` events.
            model_download_start(id: String) -> ModelDownload;
            /// Pauses a model download; its partial file stays for a later resume.
            model_download_pause(id: String) -> ModelDownload;
            /// Resumes a paused or failed model download from its partial file.
            model_download_resume(id: String) -> ModelDownload;
            /// Stops a model download and deletes its partial file.
            model_download_cancel(id: String) -> ModelDownload;
            /// Deletes an installed model file (unloading it first if it is loaded).
            model_delete(file_name: String) -> ModelDeleted;
            /// Imports a GGUF file from a path on the core's machine into `llms/` (browsers upload to `POST /api/models/import`).
            model_import_file(path: String) -> InstalledModel;
            /// The model runtime: loaded models, memory, queue, endpoint.
            llm_status() -> LlmStatus;
            /// Loads (warms up) a model (default: the one used last, else the first installed); the least recently used is evicted past the limits.
            llm_load(model: Option<String>, params: Option<ModelParams>) -> LlmStatus;
            /// Unloads one model, or every model when none is named.
            llm_unload(model: Option<String>) -> LlmStatus;
            /// Generates the next assistant message, streaming `llm-token` events tagged with the request's id.
            llm_chat(request: ChatRequest) -> ChatResult;
            /// Cancels a running or queued `llm_chat` by its request id; it resolves with what it had.
            llm_cancel(request_id: String) -> LlmCancelled;
            /// Starts a run of a graph, a saved flow or DSL text (validated first), filed under `trigger` (default manual).
            run_start(source: RunSource, options: Option<RunOptions>, trigger: Option<RunTrigger>) -> RunStarted;
            /// Holds a run's new work at the next node boundary.
            run_pause(execution_id: String) -> RunState;
            /// Lets a paused run go on.
            run_resume(execution_id: String) -> RunState;
            /// Stops a run: no new nodes, running child processes killed.
            run_cancel(execution_id: String) -> RunState;
            /// Approves (runs) or denies (fails) the destructive node a run waits on.
            run_confirm(execution_id: String, node_id: String, approve: bool) -> RunState;
            /// Runs that have not ended.
            runs_active() -> Vec<RunState>;
            /// Run history, newest first, filtered by flow, status, trigger and text.
            runs_list(filter: Option<RunFilter>) -> Vec<RunSummary>;
            /// One run with its graph, steps and interceptions.
            run_get(execution_id: String) -> RunDetail;
            /// A page of a run's recorded events (optionally one node's) after `afterSeq`.
            run_events(execution_id: String, after_seq: Option<u32>, limit: Option<u32>, node_id: Option<String>) -> RunEventsPage;
            /// Runs an earlier run's graph again; with `fromNode`, reuses the outputs of the nodes before it and starts there.
            run_rerun(execution_id: String, from_node: Option<String>) -> RunStarted;
            /// Every connection (metadata only, never a secret) with the saved flows that use it.
            connections_list() -> Vec<Connection>;
            /// Creates or updates a connection; a given secret goes to the credential store only.
            connection_save(input: ConnectionInput) -> Connection;
            /// Drops an OAuth connection's tokens; the connection and its client secret stay.
            connection_disconnect(id: String) -> Connection;
            /// Runs the service's test operation with the connection (`ok` on a 2xx, masked message); refused while its switch is off.
            connection_test(id: String) -> ConnectionTest;
            /// Starts connecting an OAuth 2 account; `redirectBase` is the origin the browser reached us at (absent: loopback, desktop).
            oauth_start(id: String, redirect_base: Option<String>) -> OAuthStart;
            /// Completes an OAuth 2 grant from the provider's redirect; `state` is single-use.
            oauth_complete(state: String, code: Option<String>, error: Option<String>) -> Connection;
            /// Deletes a connection and its secret; refused while saved flows use it unless `force`.
            connection_delete(id: String, force: Option<bool>) -> ConnectionDeleted;
            /// Every schedule, by next firing.
            schedules_list() -> Vec<Schedule>;
            /// Creates or replaces a saved flow's schedule.
            schedule_set(slug: String, spec: ScheduleSpec) -> Schedule;
            /// Turns a schedule on or off (its settings and counts stay).
            schedule_set_enabled(slug: String, enabled: bool) -> Schedule;
            /// Removes a saved flow's schedule.
            schedule_delete(slug: String) -> ScheduleDeleted;
            /// The next `count` firings of a schedule (default 5, at most 100), without saving it.
            schedule_preview(spec: ScheduleSpec, count: Option<u32>) -> Vec<String>;
            /// Asks the local model for a flow doing an agentic node's request, grounded in its workspace; a proposal to review, nothing saved.
            agentic_generate(slug: String, node_id: String, options: Option<GenerateOptions>) -> Proposal;
            /// Agentic proposals of a flow (all flows when none is named), newest first.
            agentic_proposals(slug: Option<String>) -> Vec<Proposal>;
            /// One agentic proposal.
            agentic_proposal(proposal_id: String) -> Proposal;
            /// Accepts a pending proposal: the flow is saved with it as a new revision (a conflict if the flow changed since).
            agentic_accept(proposal_id: String) -> FlowDocument;
            /// Rejects a pending proposal; the flow stays as it is.
            agentic_reject(proposal_id: String) -> Proposal;
            /// The AI audit log (invocations, reviews, agent edits), newest first, by flow, run or job.
            agentic_audit(query: Option<AuditQuery>) -> Vec<AuditRecord>;
            /// A monitor's interceptions of failed runs, newest first, by flow or run.
            agentic_interceptions(query: Option<InterceptionQuery>) -> Vec<MonitorInterception>;
            /// One interception, with the flow's DSL before and after its fix.
            agentic_interception(interception_id: String) -> MonitorInterception;
            /// Decides a waiting interception: accept the fix (saved, the node re-runs), resume without it, or reject and stop the run.
            agentic_intercept_decide(interception_id: String, decision: InterceptDecision) -> MonitorInterception;
            /// Reverts an applied fix: the flow's graph from before it, as a new revision (a conflict if the flow changed since).
            agentic_interception_revert(interception_id: String) -> MonitorInterception;
        }
    };
}

/// The types the table's signatures name, imported where a callback expands the table.
pub mod signature {
    pub use super::{ModelDeleted, NoteAdded, SessionTasksDeleted, TaskDeleted};
    pub use crate::AppInfo;
    pub use crate::agentic::{
        AuditQuery, AuditRecord, GenerateOptions, InterceptDecision, InterceptionQuery,
        MonitorInterception, Proposal,
    };
    pub use crate::board::agent_status::AgentStatusReport;
    pub use crate::board::features::{
        CreateFeatureInput, Feature, FeatureChangeEvent, FeatureGraphNode, FeaturePatch,
        FeatureStats,
    };
    pub use crate::board::index::TaskTimes;
    pub use crate::board::{SessionListItem, Task, TaskWithSession};
    pub use crate::credentials::{
        Connection, ConnectionDeleted, ConnectionInput, ConnectionTest, OAuthStart,
    };
    pub use crate::engine::{RunOptions, RunSource, RunStarted, RunState, RunTrigger};
    pub use crate::flows::hub::{TemplateHubInstalled, TemplateHubListing};
    pub use crate::flows::{
        Collection, CollectionDeleted, ExportedFlow, FlowDeleted, FlowDocument, FlowFileFormat,
        FlowGraph, FlowListQuery, FlowSummary, RevisionDiff, RevisionInfo, SaveFlowInput,
        ValidationReport,
    };
    pub use crate::history::{RunDetail, RunEventsPage, RunFilter, RunSummary};
    pub use crate::json::Encoded;
    pub use crate::llm::{ChatRequest, ChatResult, LlmCancelled, LlmStatus, ModelParams};
    pub use crate::models::{CatalogModel, InstalledModel, ModelDownload};
    pub use crate::nodes::{CatalogEntry, CatalogListing, CliProbe, NodeUninstalled};
    pub use crate::privacy::{PrivacyPreview, PrivacyRule};
    pub use crate::scheduler::{Schedule, ScheduleDeleted, ScheduleSpec};
    pub use crate::settings::{SettingField, Settings, SettingsPatch};
    pub use crate::theme::{ThemeName, ThemeState};
}

// Every command must carry a doc comment: a line without one does not match here.
macro_rules! command_names {
    ($( $(#[doc = $doc:literal])+ $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// The names of every command, in table order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}
for_each_command!(command_names);

#[cfg(test)]
mod tests;
