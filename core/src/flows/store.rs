//! Saved flows: `templates/<slug>.flow.json` (+ `<slug>.flow`) on disk; collections,
//! memberships, kept revisions and a summary cache in SQLite.
//!
//! Crash safety. A change runs inside one `BEGIN IMMEDIATE` transaction (which also serialises
//! writers across processes; inside a process the shared [`Db`]'s writer already does): reconcile the
//! file (see [`index`]), check the base revision, write the JSON atomically (temp + fsync +
//! rename), then the DSL projection atomically, then record the revision, prune and update the
//! index, and commit. A crash before the JSON rename leaves the old file and the old rows; a
//! crash after it but before the commit leaves a file whose bytes no recorded revision has, which
//! the next observation records as a new revision exactly like an external edit. Either way the
//! JSON file is always a complete document and nothing the user saved is dropped. The DSL
//! projection is rewritten on every save; an external edit of the JSON leaves it stale until the
//! next save. Only `<slug>.flow.json` files are flows; temp files and other names are ignored.

mod collections;
mod files;
mod formats;
mod index;
pub(crate) mod revisions;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::AppError;
use crate::db::{Db, sql_error};
use crate::flows::document::{
    Collection, CollectionDeleted, DEFAULT_COLLECTION_SLUG, ExportedFlow, FlowDeleted,
    FlowDocument, FlowFileFormat, FlowListQuery, FlowSummary, RevisionDiff, RevisionInfo,
    SaveFlowInput,
};
use crate::flows::dsl;
use crate::flows::graph::FlowGraph;
use crate::slug::{is_valid_slug, slugify};
use index::IndexEntry;

/// Temp files older than this were left by a writer that died mid-save (a live save takes
/// milliseconds), so opening the store removes them.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The saved-flow store of one data directory.
pub struct FlowStore {
    templates_dir: PathBuf,
    db: Db,
}

impl std::fmt::Debug for FlowStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowStore")
            .field("templates_dir", &self.templates_dir)
            .finish_non_exhaustive()
    }
}

/// Now, as RFC 3339 UTC text.
fn now() -> String {
    crate::timestamp::rfc3339(SystemTime::now())
}

fn check_slug(slug: &str) -> Result<(), AppError> {
    if is_valid_slug(slug) {
        Ok(())
    } else {
        Err(AppError::InvalidInput(format!(
            "{slug:?} is not a valid flow slug (lowercase letters, digits and single dashes)"
        )))
    }
}

fn check_name(graph: &mut FlowGraph) -> Result<(), AppError> {
    let trimmed = graph.name.trim();
    if trimmed.is_empty() {
        return Err(AppError::InvalidInput("a flow name cannot be empty".into()));
    }
    if trimmed.len() != graph.name.len() {
        graph.name = trimmed.to_owned();
    }
    Ok(())
}

/// The longest slug a name yields before a uniqueness suffix, so `name-NNN` stays a valid slug.
const MAX_BASE_SLUG: usize = 100;

/// The slug a name yields, cut short enough that a `-N` suffix keeps it valid.
pub(super) fn base_slug(name: &str) -> String {
    let slug = slugify(name);
    match slug.get(..MAX_BASE_SLUG) {
        // `slugify` output is ASCII, so any byte offset is a char boundary.
        Some(cut) if slug.len() > MAX_BASE_SLUG => cut.trim_end_matches('-').to_owned(),
        _ => slug,
    }
}

fn not_found(slug: &str) -> AppError {
    AppError::NotFound(format!("no flow named {slug}"))
}

fn immediate(conn: &mut Connection) -> Result<Transaction<'_>, AppError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error("starting a flows transaction"))
}

fn commit(tx: Transaction<'_>) -> Result<(), AppError> {
    tx.commit()
        .map_err(sql_error("committing a flows transaction"))
}

/// The flow as it is now (reconciled with its file); `NotFound` when there is no file.
fn current(conn: &Connection, dir: &Path, slug: &str) -> Result<(IndexEntry, FlowGraph), AppError> {
    check_slug(slug)?;
    index::reconcile(conn, dir, slug)?.ok_or_else(|| not_found(slug))
}

/// Refuses a change whose caller did not load the current revision.
fn check_base(slug: &str, current: u32, base: Option<u32>) -> Result<(), AppError> {
    match base {
        None => Err(AppError::InvalidInput(format!(
            "baseRevision is required to update flow {slug} (its current revision is {current})"
        ))),
        Some(base) if base != current => Err(AppError::Conflict(format!(
            "flow {slug} was saved as revision {current} since you loaded revision {base}; \
             reload it and apply your change again"
        ))),
        Some(_) => Ok(()),
    }
}

fn document(entry: &IndexEntry, graph: FlowGraph, collection: String) -> FlowDocument {
    FlowDocument {
        slug: entry.slug.clone(),
        revision: entry.revision,
        updated_at: entry.updated_at.clone(),
        collection,
        graph,
    }
}

/// Writes `graph` as the next revision of `slug` (files first, then rows; see the module docs).
fn write_revision(
    conn: &Connection,
    dir: &Path,
    slug: &str,
    mut graph: FlowGraph,
    previous: Option<u32>,
) -> Result<(IndexEntry, FlowGraph), AppError> {
    graph.id = slug.to_owned();
    let json = formats::to_json(&graph)?;
    let fingerprint = files::write(dir, slug, &json, &dsl::serialize(&graph))?;
    let revision = previous.map_or(1, |p| p.saturating_add(1));
    let saved_at = now();
    let content_hash = files::hash(&json);
    let json_text = String::from_utf8_lossy(&json);
    revisions::record(
        conn,
        slug,
        revision,
        &saved_at,
        &graph,
        &json_text,
        &content_hash,
    )?;
    let entry = IndexEntry::new(slug, fingerprint, content_hash, revision, saved_at, &graph);
    index::upsert(conn, &entry)?;
    Ok((entry, graph))
}

/// Updates an existing flow with `graph`, checking `base` against its current revision.
fn update(
    conn: &Connection,
    dir: &Path,
    slug: &str,
    base: Option<u32>,
    graph: FlowGraph,
) -> Result<FlowDocument, AppError> {
    let (entry, _) = current(conn, dir, slug)?;
    check_base(slug, entry.revision, base)?;
    replace(conn, dir, slug, entry.revision, graph)
}

/// Writes `graph` over a flow whose current revision (already checked) is `current`.
fn replace(
    conn: &Connection,
    dir: &Path,
    slug: &str,
    current: u32,
    graph: FlowGraph,
) -> Result<FlowDocument, AppError> {
    let (entry, graph) = write_revision(conn, dir, slug, graph, Some(current))?;
    Ok(document(
        &entry,
        graph,
        collections::membership(conn, slug)?,
    ))
}

/// Stores `graph` as a new flow (slug from its name, made unique) in `collection`.
fn create(
    conn: &Connection,
    dir: &Path,
    mut graph: FlowGraph,
    collection: Option<&str>,
) -> Result<FlowDocument, AppError> {
    check_name(&mut graph)?;
    let collection = collection.unwrap_or(DEFAULT_COLLECTION_SLUG);
    collections::require(conn, collection)?;
    let base = base_slug(&graph.name);
    let mut slug = base.clone();
    let mut n = 2;
    while files::taken(dir, &slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    // Rows left by a flow whose files were deleted outside Flow must not leak into this one.
    revisions::purge(conn, &slug)?;
    index::remove(conn, &slug)?;
    collections::forget(conn, &slug)?;
    crate::flows::hub::forget_flow(conn, &slug)?;
    collections::place(conn, &slug, collection)?;
    let (entry, graph) = write_revision(conn, dir, &slug, graph, None)?;
    Ok(document(&entry, graph, collection.to_owned()))
}

/// Every flow's summary, refreshing only entries whose file fingerprint changed.
fn summaries(conn: &mut Connection, dir: &Path) -> Result<Vec<FlowSummary>, AppError> {
    let found = files::scan(dir)?;
    let mut cached = index::all(conn)?;
    let mut entries = Vec::with_capacity(found.len());
    let mut stale = Vec::new();
    for (slug, fingerprint) in &found {
        match cached.remove(slug) {
            Some(entry) if entry.fingerprint == *fingerprint => entries.push(entry),
            _ => stale.push(slug.as_str()),
        }
    }
    // Whatever is left in `cached` has no file any more; `stale` needs reading.
    if !stale.is_empty() || !cached.is_empty() {
        match refresh(conn, dir, cached.keys(), &stale) {
            Ok(fresh) => entries.extend(fresh),
            // The disk cannot take the bookkeeping now (full, read-only): list the files as
            // they are, and record them at a later observation.
            Err(AppError::Unavailable(why)) => {
                tracing::warn!(%why, "cannot update the flow index now; listing the files as they are");
                for slug in stale {
                    match index::observe(conn, dir, slug) {
                        Ok(Some(observed)) => entries.push(observed.entry),
                        Ok(None) => {}
                        Err(AppError::InvalidInput(err)) => {
                            tracing::warn!(slug, %err, "skipping a flow file that is not a flow");
                        }
                        Err(err) => return Err(err),
                    }
                }
            }
            Err(err) => return Err(err),
        }
    }
    let memberships = collections::memberships(conn)?;
    Ok(entries
        .iter()
        .map(|entry| {
            let collection = memberships
                .get(&entry.slug)
                .map_or(DEFAULT_COLLECTION_SLUG, String::as_str);
            entry.summary(collection)
        })
        .collect())
}

/// Drops the index rows of flows whose files are `gone` and records the `stale` files, in one
/// transaction; the fresh entries.
fn refresh<'a>(
    conn: &mut Connection,
    dir: &Path,
    gone: impl Iterator<Item = &'a String>,
    stale: &[&str],
) -> Result<Vec<IndexEntry>, AppError> {
    let tx = immediate(conn)?;
    for slug in gone {
        index::remove(&tx, slug)?;
    }
    let mut fresh = Vec::with_capacity(stale.len());
    for slug in stale {
        match index::reconcile(&tx, dir, slug) {
            Ok(Some((entry, _))) => fresh.push(entry),
            Ok(None) => {}
            Err(AppError::InvalidInput(err)) => {
                tracing::warn!(slug, %err, "skipping a flow file that is not a flow");
            }
            Err(err) => return Err(err),
        }
    }
    commit(tx)?;
    Ok(fresh)
}

fn matches(summary: &FlowSummary, query: &FlowListQuery, needle: Option<&str>) -> bool {
    if query
        .collection
        .as_deref()
        .is_some_and(|c| c != summary.collection)
    {
        return false;
    }
    let Some(needle) = needle else {
        return true;
    };
    summary.name.to_lowercase().contains(needle)
        || summary.slug.contains(needle)
        || summary
            .description
            .as_deref()
            .is_some_and(|d| d.to_lowercase().contains(needle))
}

/// One write transaction over the store, for rows kept beside flows in the same database (the
/// Template Hub's install records), so a flow and its row change together or not at all.
pub(crate) struct StoreTx<'a> {
    conn: &'a Connection,
    dir: &'a Path,
}

/// A saved flow as a [`StoreTx`] observes it.
#[derive(Debug, Clone)]
pub(crate) struct CurrentFlow {
    /// sha256 of its JSON file's bytes (the current revision's content hash).
    pub content_hash: String,
    /// The flow at its current revision.
    pub document: FlowDocument,
}

impl StoreTx<'_> {
    /// The transaction's connection, for the caller's own rows.
    pub(crate) fn conn(&self) -> &Connection {
        self.conn
    }

    /// The flow as it is now (reconciled with its file, so an outside edit counts); `None` when
    /// there is no such flow.
    pub(crate) fn current(&self, slug: &str) -> Result<Option<CurrentFlow>, AppError> {
        check_slug(slug)?;
        let Some((entry, graph)) = index::reconcile(self.conn, self.dir, slug)? else {
            return Ok(None);
        };
        let collection = collections::membership(self.conn, slug)?;
        Ok(Some(CurrentFlow {
            content_hash: entry.content_hash.clone(),
            document: document(&entry, graph, collection),
        }))
    }

    /// Stores `graph` as a new flow in `collection` (default Default), like `flow_save`.
    pub(crate) fn create(
        &self,
        mut graph: FlowGraph,
        collection: Option<&str>,
    ) -> Result<CurrentFlow, AppError> {
        if let Some(collection) = collection {
            check_collection_slug(collection)?;
        }
        check_name(&mut graph)?;
        let doc = create(self.conn, self.dir, graph, collection)?;
        self.stored(doc)
    }

    /// Writes `graph` over `slug` as its next revision; `base` must be its current revision.
    pub(crate) fn replace(
        &self,
        slug: &str,
        base: u32,
        mut graph: FlowGraph,
    ) -> Result<CurrentFlow, AppError> {
        check_name(&mut graph)?;
        let doc = update(self.conn, self.dir, slug, Some(base), graph)?;
        self.stored(doc)
    }

    fn stored(&self, document: FlowDocument) -> Result<CurrentFlow, AppError> {
        let content_hash = index::content_hash(self.conn, &document.slug)?.ok_or_else(|| {
            AppError::Internal(format!(
                "flow {} was saved but is not indexed",
                document.slug
            ))
        })?;
        Ok(CurrentFlow {
            content_hash,
            document,
        })
    }
}

impl FlowStore {
    /// Opens (creating if needed) `templates/` and the collections tables.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        Self::on(&Db::open(data_dir)?, data_dir)
    }

    /// Like [`FlowStore::open`], on an open database of `data_dir`.
    pub fn on(db: &Db, data_dir: &Path) -> Result<Self, AppError> {
        let templates_dir = data_dir.join("templates");
        std::fs::create_dir_all(&templates_dir)
            .map_err(|e| AppError::io(format!("creating {}", templates_dir.display()), e))?;
        let db = db.for_store("flows");
        db.write_blocking(|conn| collections::ensure_default(conn))?;
        files::sweep_temp_files(&templates_dir, STALE_TEMP_AGE);
        Ok(Self { templates_dir, db })
    }

    /// The `templates/` directory.
    pub fn templates_dir(&self) -> &Path {
        &self.templates_dir
    }

    /// Runs `work` with the writing connection and the templates directory. A listing goes
    /// here too: it may refresh stale index rows.
    async fn write<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Path) -> Result<T, AppError> + Send + 'static,
    {
        let dir = self.templates_dir.clone();
        self.db.write(move |conn| work(conn, &dir)).await
    }

    /// Runs `work` inside one `BEGIN IMMEDIATE` transaction with the templates directory.
    async fn change<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Path) -> Result<T, AppError> + Send + 'static,
    {
        let dir = self.templates_dir.clone();
        self.db.transaction(move |tx| work(tx, &dir)).await
    }

    /// Runs `work` inside one write transaction of this store (see [`StoreTx`]).
    pub(crate) async fn transaction<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&StoreTx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        self.change(move |conn, dir| work(&StoreTx { conn, dir }))
            .await
    }

    /// Summaries sorted by name (case-insensitive) then slug, filtered by `query`.
    pub async fn list(&self, query: FlowListQuery) -> Result<Vec<FlowSummary>, AppError> {
        if let Some(collection) = query.collection.as_deref() {
            check_collection_slug(collection)?;
        }
        self.write(move |conn, dir| {
            if let Some(collection) = query.collection.as_deref() {
                collections::require(conn, collection)?;
            }
            let needle = query
                .search
                .as_deref()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty());
            let mut list: Vec<(String, FlowSummary)> = summaries(conn, dir)?
                .into_iter()
                .filter(|s| matches(s, &query, needle.as_deref()))
                .map(|s| (s.name.to_lowercase(), s))
                .collect();
            list.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.slug.cmp(&b.1.slug)));
            Ok(list.into_iter().map(|(_, s)| s).collect())
        })
        .await
    }

    /// One flow at its current revision.
    pub async fn get(&self, slug: String) -> Result<FlowDocument, AppError> {
        self.change(move |conn, dir| {
            let (entry, graph) = current(conn, dir, &slug)?;
            Ok(document(
                &entry,
                graph,
                collections::membership(conn, &slug)?,
            ))
        })
        .await
    }

    /// Creates (no slug) or updates (slug + current base revision) a flow.
    pub async fn save(&self, input: SaveFlowInput) -> Result<FlowDocument, AppError> {
        let SaveFlowInput {
            slug,
            base_revision,
            collection,
            mut graph,
        } = input;
        check_name(&mut graph)?;
        self.change(move |conn, dir| match slug {
            None => create(conn, dir, graph, collection.as_deref()),
            Some(slug) => update(conn, dir, &slug, base_revision, graph),
        })
        .await
    }

    /// Changes a flow's name (its slug stays), as a new revision.
    pub async fn rename(
        &self,
        slug: String,
        name: String,
        base_revision: u32,
    ) -> Result<FlowDocument, AppError> {
        self.change(move |conn, dir| {
            let (entry, mut graph) = current(conn, dir, &slug)?;
            check_base(&slug, entry.revision, Some(base_revision))?;
            graph.name = name;
            check_name(&mut graph)?;
            replace(conn, dir, &slug, entry.revision, graph)
        })
        .await
    }

    /// Copies a flow as a new flow (revision 1) in the same collection.
    pub async fn duplicate(
        &self,
        slug: String,
        name: Option<String>,
    ) -> Result<FlowDocument, AppError> {
        self.change(move |conn, dir| {
            let (_, mut graph) = current(conn, dir, &slug)?;
            graph.name = name.unwrap_or_else(|| format!("{} copy", graph.name));
            let collection = collections::membership(conn, &slug)?;
            create(conn, dir, graph, Some(&collection))
        })
        .await
    }

    /// Deletes a flow: the JSON file, then the DSL file, then its rows.
    pub async fn delete(&self, slug: String) -> Result<FlowDeleted, AppError> {
        check_slug(&slug)?;
        self.change(move |conn, dir| {
            if !files::remove(dir, &slug)? {
                return Err(not_found(&slug));
            }
            collections::forget(conn, &slug)?;
            revisions::purge(conn, &slug)?;
            index::remove(conn, &slug)?;
            // A Template Hub entry installed as this flow shows as not installed again.
            crate::flows::hub::forget_flow(conn, &slug)?;
            Ok(FlowDeleted { slug })
        })
        .await
    }

    /// Moves a flow to an existing collection (no new revision: the graph is unchanged).
    pub async fn move_to(&self, slug: String, collection: String) -> Result<FlowSummary, AppError> {
        check_collection_slug(&collection)?;
        self.change(move |conn, dir| {
            let (entry, _) = current(conn, dir, &slug)?;
            collections::require(conn, &collection)?;
            collections::place(conn, &slug, &collection)?;
            Ok(entry.summary(&collection))
        })
        .await
    }

    /// Imports a `.flow` or `.flow.json` file as a new flow.
    pub async fn import(
        &self,
        file_name: String,
        content: String,
        collection: Option<String>,
    ) -> Result<FlowDocument, AppError> {
        if let Some(collection) = collection.as_deref() {
            check_collection_slug(collection)?;
        }
        let graph = formats::parse_import(&file_name, &content)?;
        self.change(move |conn, dir| create(conn, dir, graph, collection.as_deref()))
            .await
    }

    /// A flow as a downloadable file.
    pub async fn export(
        &self,
        slug: String,
        format: FlowFileFormat,
    ) -> Result<ExportedFlow, AppError> {
        let doc = self.get(slug).await?;
        formats::export(&doc.slug, &doc.graph, format)
    }

    /// Kept revisions, newest first.
    pub async fn revisions(&self, slug: String) -> Result<Vec<RevisionInfo>, AppError> {
        self.change(move |conn, dir| {
            current(conn, dir, &slug)?;
            revisions::list(conn, &slug)
        })
        .await
    }

    /// One kept revision as a document.
    pub async fn revision(&self, slug: String, revision: u32) -> Result<FlowDocument, AppError> {
        self.change(move |conn, dir| {
            current(conn, dir, &slug)?;
            let (mut graph, saved_at) = revisions::get(conn, &slug, revision)?;
            graph.id.clone_from(&slug);
            Ok(FlowDocument {
                collection: collections::membership(conn, &slug)?,
                slug,
                revision,
                updated_at: saved_at,
                graph,
            })
        })
        .await
    }

    /// The DSL line diff between two kept revisions.
    pub async fn diff(&self, slug: String, from: u32, to: u32) -> Result<RevisionDiff, AppError> {
        self.change(move |conn, dir| {
            current(conn, dir, &slug)?;
            let (old, _) = revisions::get(conn, &slug, from)?;
            let (new, _) = revisions::get(conn, &slug, to)?;
            Ok(revisions::diff(from, to, &old, &new))
        })
        .await
    }

    /// Saves a kept revision's graph as the next revision.
    pub async fn restore(
        &self,
        slug: String,
        revision: u32,
        base_revision: u32,
    ) -> Result<FlowDocument, AppError> {
        self.change(move |conn, dir| {
            let (entry, _) = current(conn, dir, &slug)?;
            check_base(&slug, entry.revision, Some(base_revision))?;
            let (graph, _) = revisions::get(conn, &slug, revision)?;
            replace(conn, dir, &slug, entry.revision, graph)
        })
        .await
    }

    /// Collections with their flow counts, Default first then by name.
    pub async fn collections(&self) -> Result<Vec<Collection>, AppError> {
        self.write(|conn, dir| {
            let mut counts: HashMap<String, u32> = HashMap::new();
            for summary in summaries(conn, dir)? {
                *counts.entry(summary.collection).or_default() += 1;
            }
            collections::list(conn, &counts)
        })
        .await
    }

    /// Creates a collection (slug from the name, made unique).
    pub async fn create_collection(&self, name: String) -> Result<Collection, AppError> {
        self.change(move |conn, _| collections::create(conn, &name))
            .await
    }

    /// Renames a collection other than Default.
    pub async fn rename_collection(
        &self,
        slug: String,
        name: String,
    ) -> Result<Collection, AppError> {
        check_collection_slug(&slug)?;
        let renamed = self
            .write(move |conn, _| collections::rename(conn, &slug, &name))
            .await?;
        let count = self
            .list(FlowListQuery {
                collection: Some(renamed.slug.clone()),
                search: None,
            })
            .await?
            .len();
        Ok(Collection {
            flow_count: u32::try_from(count).unwrap_or(u32::MAX),
            ..renamed
        })
    }

    /// Deletes a collection other than Default; its flows go back to Default.
    pub async fn delete_collection(&self, slug: String) -> Result<CollectionDeleted, AppError> {
        check_collection_slug(&slug)?;
        self.change(move |conn, dir| {
            collections::delete(conn, &slug, |flow| files::json_path(dir, flow).exists())
        })
        .await
    }
}

fn check_collection_slug(slug: &str) -> Result<(), AppError> {
    if is_valid_slug(slug) {
        Ok(())
    } else {
        Err(AppError::InvalidInput(format!(
            "{slug:?} is not a valid collection slug"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(name: &str) -> FlowGraph {
        FlowGraph::new(name)
    }

    async fn store() -> (tempfile::TempDir, FlowStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = FlowStore::open(dir.path()).unwrap();
        (dir, store)
    }

    fn new_flow(name: &str) -> SaveFlowInput {
        SaveFlowInput {
            slug: None,
            base_revision: None,
            collection: None,
            graph: graph(name),
        }
    }

    #[tokio::test]
    async fn create_unique_slugs_and_update_rules() {
        let (_dir, store) = store().await;
        let a = store.save(new_flow("My Flow")).await.unwrap();
        let b = store.save(new_flow("My Flow")).await.unwrap();
        assert_eq!((a.slug.as_str(), b.slug.as_str()), ("my-flow", "my-flow-2"));
        assert_eq!((a.revision, b.graph.id.as_str()), (1, "my-flow-2"));
        let mut update = SaveFlowInput {
            slug: Some(a.slug.clone()),
            base_revision: None,
            collection: None,
            graph: a.graph.clone(),
        };
        assert!(matches!(
            store.save(update.clone()).await,
            Err(AppError::InvalidInput(m)) if m.contains("baseRevision is required")
        ));
        update.base_revision = Some(1);
        assert_eq!(store.save(update.clone()).await.unwrap().revision, 2);
        let stale = store.save(update.clone()).await.unwrap_err();
        assert!(
            matches!(&stale, AppError::Conflict(m) if m.contains("revision 2") && m.contains("revision 1")),
            "{stale:?}"
        );
        update.slug = Some("nope".into());
        assert!(matches!(
            store.save(update.clone()).await,
            Err(AppError::NotFound(_))
        ));
        update.slug = Some("../etc".into());
        assert!(matches!(
            store.save(update).await,
            Err(AppError::InvalidInput(_))
        ));
        assert!(matches!(
            store.save(new_flow("  ")).await,
            Err(AppError::InvalidInput(_))
        ));
    }

    #[tokio::test]
    async fn long_names_still_give_valid_slugs() {
        let (_dir, store) = store().await;
        let long = format!("{} tail", "word ".repeat(60));
        let a = store.save(new_flow(&long)).await.unwrap();
        let b = store.save(new_flow(&long)).await.unwrap();
        assert!(is_valid_slug(&a.slug) && is_valid_slug(&b.slug));
        assert_eq!(b.slug, format!("{}-2", a.slug));
        assert_eq!(store.get(b.slug.clone()).await.unwrap().graph.name, long);
        let col = store.create_collection(long.clone()).await.unwrap();
        assert!(is_valid_slug(&col.slug));
    }

    #[tokio::test]
    async fn interrupted_save_is_recorded_on_next_read() {
        let (_dir, store) = store().await;
        let doc = store.save(new_flow("Crash")).await.unwrap();
        // Simulates a crash between the file write and the commit.
        let mut changed = doc.graph.clone();
        changed.description = Some("written, never committed".into());
        files::write(
            store.templates_dir(),
            "crash",
            &formats::to_json(&changed).unwrap(),
            "",
        )
        .unwrap();
        let got = store.get("crash".into()).await.unwrap();
        assert_eq!((got.revision, got.graph), (2, changed));
    }
}
