//! The features store: one SQLite connection behind a mutex, used only from blocking threads.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::types::{
    CreateFeatureInput, DependencyRef, Feature, FeatureChangeEvent, FeatureGraphNode, FeaturePatch,
    FeatureStats,
};
use crate::AppError;
use crate::db::{self, sql_error};

/// Where change-log entries written by Flow say they came from.
const SOURCE: &str = "flow";

const FEATURE_COLUMNS: &str = "id, priority, category, name, description, steps, passes, \
     in_progress, dependencies, created_at, updated_at";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// The features database of one data directory.
pub struct FeatureStore {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for FeatureStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeatureStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl FeatureStore {
    /// Opens (creating and migrating if needed) `<data_dir>/db/flow.sqlite`.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let path = db::db_path(data_dir);
        let conn = db::open(&path)?;
        Ok(Self {
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection on a blocking thread, so the async runtime never waits on
    /// SQLite.
    async fn with<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, AppError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| AppError::Internal("the features database lock is poisoned".into()))?;
            work(&mut guard)
        })
        .await
        .map_err(|e| AppError::Internal(format!("features database task failed: {e}")))?
    }

    /// The journal mode in force (`wal`).
    pub async fn journal_mode(&self) -> Result<String, AppError> {
        self.with(|conn| {
            conn.pragma_query_value(None, "journal_mode", |row| row.get(0))
                .map_err(sql_error("reading the journal mode"))
        })
        .await
    }

    /// Every feature, by priority (then id).
    pub async fn list(&self) -> Result<Vec<Feature>, AppError> {
        self.with(|conn| all(conn)).await
    }

    /// One feature.
    pub async fn get(&self, id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| get(conn, id)).await
    }

    /// Creates one feature; its dependencies must be existing ids.
    pub async fn create(&self, input: CreateFeatureInput) -> Result<Feature, AppError> {
        self.with(move |conn| {
            let mut created = create_many(conn, vec![input], false)?;
            created
                .pop()
                .ok_or_else(|| AppError::Internal("created feature went missing".into()))
        })
        .await
    }

    /// Creates several features in one transaction; dependencies may point into the batch with
    /// `{"index": n}`. Everything is validated first: on any error nothing is created.
    pub async fn create_bulk(
        &self,
        inputs: Vec<CreateFeatureInput>,
    ) -> Result<Vec<Feature>, AppError> {
        self.with(move |conn| create_many(conn, inputs, true)).await
    }

    /// Applies a partial change; also says whether anything changed.
    pub async fn update(&self, id: u32, patch: FeaturePatch) -> Result<(Feature, bool), AppError> {
        self.with(move |conn| update(conn, id, patch)).await
    }

    /// Deletes a feature (and its change log) and removes it from other features' dependencies;
    /// returns it as it was.
    pub async fn delete(&self, id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| {
            let tx = immediate(conn)?;
            let feature = get(&tx, id)?;
            for other in all(&tx)? {
                if other.dependencies.contains(&id) {
                    let deps: Vec<u32> = other
                        .dependencies
                        .iter()
                        .copied()
                        .filter(|d| *d != id)
                        .collect();
                    set_dependencies(&tx, other.id, &deps)?;
                    log(
                        &tx,
                        other.id,
                        "dependency_removed",
                        Some("dependencies"),
                        Some(&id.to_string()),
                        None,
                    )?;
                }
            }
            tx.execute("DELETE FROM features WHERE id = ?1", [id])
                .map_err(sql_error(format!("deleting feature {id}")))?;
            commit(tx)?;
            Ok(feature)
        })
        .await
    }

    /// Marks a feature in progress; `Conflict` if it already is, or already passes.
    pub async fn claim(&self, id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| {
            let tx = immediate(conn)?;
            let changed = tx
                .execute(
                    &format!(
                        "UPDATE features SET in_progress = 1, updated_at = {NOW} \
                         WHERE id = ?1 AND in_progress = 0 AND passes = 0"
                    ),
                    [id],
                )
                .map_err(sql_error(format!("claiming feature {id}")))?;
            if changed == 0 {
                let feature = get(&tx, id)?;
                let why = if feature.passes {
                    "already passes"
                } else {
                    "is already in progress"
                };
                return Err(AppError::Conflict(format!("feature {id} {why}")));
            }
            log(
                &tx,
                id,
                "claimed",
                Some("inProgress"),
                Some("false"),
                Some("true"),
            )?;
            let feature = get(&tx, id)?;
            commit(tx)?;
            Ok(feature)
        })
        .await
    }

    /// Marks a feature passing (and no longer in progress).
    pub async fn pass(&self, id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| set_status(conn, id, true, "passed"))
            .await
    }

    /// Marks a feature failing (and no longer in progress).
    pub async fn fail(&self, id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| set_status(conn, id, false, "failed"))
            .await
    }

    /// Moves a feature behind every other one (`priority = MAX(priority) + 1`).
    pub async fn skip(&self, id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| {
            let tx = immediate(conn)?;
            let before = get(&tx, id)?;
            let priority = next_priority(&tx)?;
            tx.execute(
                &format!("UPDATE features SET priority = ?2, updated_at = {NOW} WHERE id = ?1"),
                params![id, priority],
            )
            .map_err(sql_error(format!("skipping feature {id}")))?;
            log(
                &tx,
                id,
                "skipped",
                Some("priority"),
                Some(&before.priority.to_string()),
                Some(&priority.to_string()),
            )?;
            let feature = get(&tx, id)?;
            commit(tx)?;
            Ok(feature)
        })
        .await
    }

    /// Makes `id` depend on `dependency_id`; a cycle is refused. Adding an existing dependency
    /// changes nothing.
    pub async fn add_dependency(&self, id: u32, dependency_id: u32) -> Result<Feature, AppError> {
        self.with(move |conn| {
            let tx = immediate(conn)?;
            let feature = get(&tx, id)?;
            if dependency_id == id {
                return Err(AppError::InvalidInput(format!(
                    "feature {id} cannot depend on itself"
                )));
            }
            ensure_dependency(&tx, dependency_id)?;
            if feature.dependencies.contains(&dependency_id) {
                return Ok(feature);
            }
            let mut deps = feature.dependencies;
            deps.push(dependency_id);
            set_dependencies(&tx, id, &deps)?;
            ensure_acyclic(&tx)?;
            log(
                &tx,
                id,
                "dependency_added",
                Some("dependencies"),
                None,
                Some(&dependency_id.to_string()),
            )?;
            let feature = get(&tx, id)?;
            commit(tx)?;
            Ok(feature)
        })
        .await
    }

    /// Drops `dependency_id` from `id`'s dependencies; `NotFound` if it was not one.
    pub async fn remove_dependency(
        &self,
        id: u32,
        dependency_id: u32,
    ) -> Result<Feature, AppError> {
        self.with(move |conn| {
            let tx = immediate(conn)?;
            let feature = get(&tx, id)?;
            if !feature.dependencies.contains(&dependency_id) {
                return Err(AppError::NotFound(format!(
                    "feature {id} does not depend on feature {dependency_id}"
                )));
            }
            let deps: Vec<u32> = feature
                .dependencies
                .into_iter()
                .filter(|d| *d != dependency_id)
                .collect();
            set_dependencies(&tx, id, &deps)?;
            log(
                &tx,
                id,
                "dependency_removed",
                Some("dependencies"),
                Some(&dependency_id.to_string()),
                None,
            )?;
            let feature = get(&tx, id)?;
            commit(tx)?;
            Ok(feature)
        })
        .await
    }

    /// Counts over every feature.
    pub async fn stats(&self) -> Result<FeatureStats, AppError> {
        let features = self.list().await?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let total = count(features.len());
        let passing = count(features.iter().filter(|f| f.passes).count());
        let in_progress = count(features.iter().filter(|f| f.in_progress).count());
        let blocked = count(blocked_of(&features).len());
        Ok(FeatureStats {
            total,
            passing,
            failing: total.saturating_sub(passing).saturating_sub(in_progress),
            in_progress,
            blocked,
        })
    }

    /// Features an agent can take now: not passing, not in progress, every dependency passing.
    pub async fn ready(&self) -> Result<Vec<Feature>, AppError> {
        let features = self.list().await?;
        let passing: HashSet<u32> = features.iter().filter(|f| f.passes).map(|f| f.id).collect();
        let known: HashSet<u32> = features.iter().map(|f| f.id).collect();
        Ok(features
            .iter()
            .filter(|f| {
                !f.passes
                    && !f.in_progress
                    && f.dependencies
                        .iter()
                        .all(|d| passing.contains(d) || !known.contains(d))
            })
            .cloned()
            .collect())
    }

    /// Features with at least one dependency that does not pass.
    pub async fn blocked(&self) -> Result<Vec<Feature>, AppError> {
        let features = self.list().await?;
        Ok(blocked_of(&features))
    }

    /// The dependency graph: every feature with its dependencies and dependents.
    pub async fn graph(&self) -> Result<Vec<FeatureGraphNode>, AppError> {
        let features = self.list().await?;
        let blocked: HashSet<u32> = blocked_of(&features).iter().map(|f| f.id).collect();
        let mut dependents: HashMap<u32, Vec<u32>> = HashMap::new();
        for feature in &features {
            for dep in &feature.dependencies {
                dependents.entry(*dep).or_default().push(feature.id);
            }
        }
        Ok(features
            .into_iter()
            .map(|f| FeatureGraphNode {
                blocked: blocked.contains(&f.id),
                dependents: dependents.remove(&f.id).unwrap_or_default(),
                id: f.id,
                name: f.name,
                category: f.category,
                priority: f.priority,
                passes: f.passes,
                in_progress: f.in_progress,
                dependencies: f.dependencies,
            })
            .collect())
    }

    /// A feature's change log, oldest first.
    pub async fn events(&self, id: u32) -> Result<Vec<FeatureChangeEvent>, AppError> {
        self.with(move |conn| {
            ensure_exists(conn, id)?;
            let context = format!("reading the change log of feature {id}");
            let mut stmt = conn
                .prepare(
                    "SELECT id, feature_id, event_type, field, old_value, new_value, agent, \
                     source, created_at FROM change_events WHERE feature_id = ?1 ORDER BY id",
                )
                .map_err(sql_error(&context))?;
            let rows = stmt
                .query_map([id], |row| {
                    Ok(FeatureChangeEvent {
                        id: row.get(0)?,
                        feature_id: row.get(1)?,
                        event_type: row.get(2)?,
                        field: row.get(3)?,
                        old_value: row.get(4)?,
                        new_value: row.get(5)?,
                        agent: row.get(6)?,
                        source: row.get(7)?,
                        created_at: row.get(8)?,
                    })
                })
                .map_err(sql_error(&context))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(sql_error(&context))
        })
        .await
    }
}

fn immediate(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, AppError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error("starting a features transaction"))
}

fn commit(tx: rusqlite::Transaction<'_>) -> Result<(), AppError> {
    tx.commit()
        .map_err(sql_error("committing a features transaction"))
}

/// The raw columns of one `features` row; JSON columns are decoded afterwards.
struct RawFeature {
    feature: Feature,
    steps: String,
    dependencies: String,
}

fn raw_feature(row: &Row<'_>) -> rusqlite::Result<RawFeature> {
    Ok(RawFeature {
        feature: Feature {
            id: row.get(0)?,
            priority: row.get(1)?,
            category: row.get(2)?,
            name: row.get(3)?,
            description: row.get(4)?,
            steps: Vec::new(),
            passes: row.get(6)?,
            in_progress: row.get(7)?,
            dependencies: Vec::new(),
            created_at: row.get(9)?,
            updated_at: row.get(10)?,
        },
        steps: row.get(5)?,
        dependencies: row.get(8)?,
    })
}

fn decode(raw: RawFeature) -> Result<Feature, AppError> {
    let id = raw.feature.id;
    let bad = |column: &str, e: serde_json::Error| {
        AppError::Internal(format!("feature {id} has a broken `{column}` column: {e}"))
    };
    Ok(Feature {
        steps: serde_json::from_str(&raw.steps).map_err(|e| bad("steps", e))?,
        dependencies: serde_json::from_str(&raw.dependencies)
            .map_err(|e| bad("dependencies", e))?,
        ..raw.feature
    })
}

fn all(conn: &Connection) -> Result<Vec<Feature>, AppError> {
    let context = "listing features";
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {FEATURE_COLUMNS} FROM features ORDER BY priority ASC, id ASC"
        ))
        .map_err(sql_error(context))?;
    let rows = stmt
        .query_map([], raw_feature)
        .map_err(sql_error(context))?;
    rows.map(|raw| decode(raw.map_err(sql_error(context))?))
        .collect()
}

fn get(conn: &Connection, id: u32) -> Result<Feature, AppError> {
    let raw = conn
        .query_row(
            &format!("SELECT {FEATURE_COLUMNS} FROM features WHERE id = ?1"),
            [id],
            raw_feature,
        )
        .optional()
        .map_err(sql_error(format!("reading feature {id}")))?;
    match raw {
        Some(raw) => decode(raw),
        None => Err(not_found(id)),
    }
}

fn not_found(id: u32) -> AppError {
    AppError::NotFound(format!("feature {id} does not exist"))
}

fn ensure_exists(conn: &Connection, id: u32) -> Result<(), AppError> {
    let found: Option<u32> = conn
        .query_row("SELECT id FROM features WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()
        .map_err(sql_error(format!("looking up feature {id}")))?;
    found.map(|_| ()).ok_or_else(|| not_found(id))
}

/// Like [`ensure_exists`], with a message about a dependency.
fn ensure_dependency(conn: &Connection, id: u32) -> Result<(), AppError> {
    ensure_exists(conn, id).map_err(|err| match err {
        AppError::NotFound(_) => AppError::NotFound(format!("dependency {id} does not exist")),
        other => other,
    })
}

fn next_priority(conn: &Connection) -> Result<i32, AppError> {
    let max: Option<i64> = conn
        .query_row("SELECT MAX(priority) FROM features", [], |row| row.get(0))
        .map_err(sql_error("reading the highest priority"))?;
    let next = max.map_or(1, |m| m + 1);
    i32::try_from(next)
        .map_err(|_| AppError::Conflict(format!("no priority is left after {}", next - 1)))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("encoding JSON: {e}")))
}

fn set_dependencies(conn: &Connection, id: u32, deps: &[u32]) -> Result<(), AppError> {
    conn.execute(
        &format!("UPDATE features SET dependencies = ?2, updated_at = {NOW} WHERE id = ?1"),
        params![id, to_json(&deps)?],
    )
    .map_err(sql_error(format!(
        "writing the dependencies of feature {id}"
    )))?;
    Ok(())
}

fn log(
    conn: &Connection,
    feature_id: u32,
    event_type: &str,
    field: Option<&str>,
    old_value: Option<&str>,
    new_value: Option<&str>,
) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO change_events (feature_id, event_type, field, old_value, new_value, source) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![feature_id, event_type, field, old_value, new_value, SOURCE],
    )
    .map_err(sql_error(format!(
        "logging `{event_type}` for feature {feature_id}"
    )))?;
    Ok(())
}

fn set_status(
    conn: &mut Connection,
    id: u32,
    passes: bool,
    event: &str,
) -> Result<Feature, AppError> {
    let tx = immediate(conn)?;
    let before = get(&tx, id)?;
    tx.execute(
        &format!(
            "UPDATE features SET passes = ?2, in_progress = 0, updated_at = {NOW} WHERE id = ?1"
        ),
        params![id, passes],
    )
    .map_err(sql_error(format!("marking feature {id} {event}")))?;
    log(
        &tx,
        id,
        event,
        Some("passes"),
        Some(&before.passes.to_string()),
        Some(&passes.to_string()),
    )?;
    let feature = get(&tx, id)?;
    commit(tx)?;
    Ok(feature)
}

/// Refuses a blank name, naming the request position in bulk creates.
fn check_name(name: &str, at: &str) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(AppError::InvalidInput(format!(
            "{at}`name` must not be empty"
        )));
    }
    Ok(())
}

fn create_many(
    conn: &mut Connection,
    inputs: Vec<CreateFeatureInput>,
    bulk: bool,
) -> Result<Vec<Feature>, AppError> {
    let count = inputs.len();
    // Validate everything before touching the database.
    for (i, input) in inputs.iter().enumerate() {
        let at = if bulk {
            format!("features[{i}].")
        } else {
            String::new()
        };
        check_name(&input.name, &at)?;
        for (j, dep) in input.dependencies.iter().flatten().enumerate() {
            if let DependencyRef::Index { index } = dep {
                let index = usize::try_from(*index).unwrap_or(usize::MAX);
                if !bulk {
                    return Err(AppError::InvalidInput(format!(
                        "`dependencies[{j}]`: {{\"index\": …}} is only valid in a bulk create"
                    )));
                }
                if index >= count {
                    return Err(AppError::InvalidInput(format!(
                        "{at}`dependencies[{j}]`: index {index} is outside the batch of {count}"
                    )));
                }
                if index == i {
                    return Err(AppError::InvalidInput(format!(
                        "{at}`dependencies[{j}]`: a feature cannot depend on itself"
                    )));
                }
            }
        }
    }

    let tx = immediate(conn)?;
    let mut ids = Vec::with_capacity(count);
    for input in &inputs {
        for dep in input.dependencies.iter().flatten() {
            if let DependencyRef::Id(id) = dep {
                ensure_dependency(&tx, *id)?;
            }
        }
        let priority = match input.priority {
            Some(p) => p,
            None => next_priority(&tx)?,
        };
        tx.execute(
            "INSERT INTO features (priority, category, name, description, steps) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                priority,
                input.category.as_deref().unwrap_or_default(),
                input.name.trim(),
                input.description.as_deref().unwrap_or_default(),
                to_json(&input.steps.clone().unwrap_or_default())?,
            ],
        )
        .map_err(sql_error("creating a feature"))?;
        let id = u32::try_from(tx.last_insert_rowid())
            .map_err(|_| AppError::Internal("feature ids ran out of range".into()))?;
        ids.push(id);
    }
    for (input, id) in inputs.iter().zip(&ids) {
        let mut deps: Vec<u32> = Vec::new();
        for dep in input.dependencies.iter().flatten() {
            let dep_id = match dep {
                DependencyRef::Id(dep_id) => *dep_id,
                DependencyRef::Index { index } => usize::try_from(*index)
                    .ok()
                    .and_then(|i| ids.get(i).copied())
                    .ok_or_else(|| AppError::Internal("batch index went missing".into()))?,
            };
            if !deps.contains(&dep_id) {
                deps.push(dep_id);
            }
        }
        if !deps.is_empty() {
            set_dependencies(&tx, *id, &deps)?;
        }
        log(&tx, *id, "created", None, None, Some(&input.name))?;
    }
    ensure_acyclic(&tx)?;
    let created = ids
        .iter()
        .map(|id| get(&tx, *id))
        .collect::<Result<Vec<_>, _>>()?;
    commit(tx)?;
    Ok(created)
}

fn update(
    conn: &mut Connection,
    id: u32,
    patch: FeaturePatch,
) -> Result<(Feature, bool), AppError> {
    if let Some(name) = &patch.name {
        check_name(name, "")?;
    }
    let tx = immediate(conn)?;
    let before = get(&tx, id)?;
    let mut after = before.clone();
    if let Some(name) = patch.name {
        after.name = name.trim().to_owned();
    }
    if let Some(description) = patch.description {
        after.description = description;
    }
    if let Some(priority) = patch.priority {
        after.priority = priority;
    }
    if let Some(category) = patch.category {
        after.category = category;
    }
    if let Some(steps) = patch.steps {
        after.steps = steps;
    }
    if let Some(deps) = patch.dependencies {
        let mut unique = Vec::new();
        for dep in deps {
            if dep == id {
                return Err(AppError::InvalidInput(format!(
                    "`dependencies`: feature {id} cannot depend on itself"
                )));
            }
            ensure_dependency(&tx, dep)?;
            if !unique.contains(&dep) {
                unique.push(dep);
            }
        }
        after.dependencies = unique;
    }
    if after == before {
        return Ok((before, false));
    }
    tx.execute(
        &format!(
            "UPDATE features SET name = ?2, description = ?3, priority = ?4, category = ?5, \
             steps = ?6, dependencies = ?7, updated_at = {NOW} WHERE id = ?1"
        ),
        params![
            id,
            after.name,
            after.description,
            after.priority,
            after.category,
            to_json(&after.steps)?,
            to_json(&after.dependencies)?,
        ],
    )
    .map_err(sql_error(format!("updating feature {id}")))?;
    if after.dependencies != before.dependencies {
        ensure_acyclic(&tx)?;
    }
    let changes = [
        ("name", to_json(&before.name)?, to_json(&after.name)?),
        (
            "description",
            to_json(&before.description)?,
            to_json(&after.description)?,
        ),
        (
            "priority",
            to_json(&before.priority)?,
            to_json(&after.priority)?,
        ),
        (
            "category",
            to_json(&before.category)?,
            to_json(&after.category)?,
        ),
        ("steps", to_json(&before.steps)?, to_json(&after.steps)?),
        (
            "dependencies",
            to_json(&before.dependencies)?,
            to_json(&after.dependencies)?,
        ),
    ];
    for (field, old, new) in changes {
        if old != new {
            log(&tx, id, "updated", Some(field), Some(&old), Some(&new))?;
        }
    }
    let feature = get(&tx, id)?;
    commit(tx)?;
    Ok((feature, true))
}

/// Features with at least one dependency that exists and does not pass.
fn blocked_of(features: &[Feature]) -> Vec<Feature> {
    let failing: HashSet<u32> = features
        .iter()
        .filter(|f| !f.passes)
        .map(|f| f.id)
        .collect();
    features
        .iter()
        .filter(|f| f.dependencies.iter().any(|d| failing.contains(d)))
        .cloned()
        .collect()
}

/// Refuses a dependency cycle, naming it (`1 → 2 → 1`).
fn ensure_acyclic(conn: &Connection) -> Result<(), AppError> {
    let features = all(conn)?;
    let edges: HashMap<u32, Vec<u32>> = features
        .iter()
        .map(|f| (f.id, f.dependencies.clone()))
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state: HashMap<u32, u8> = HashMap::new();
    for start in features.iter().map(|f| f.id) {
        if state.get(&start).copied().unwrap_or(0) != 0 {
            continue;
        }
        // Iterative DFS: (node, next edge to follow).
        let mut path: Vec<(u32, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((node, next)) = path.last().copied() {
            let deps = edges.get(&node).map(Vec::as_slice).unwrap_or_default();
            if let Some(dep) = deps.get(next).copied() {
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                match state.get(&dep).copied().unwrap_or(0) {
                    0 if edges.contains_key(&dep) => {
                        state.insert(dep, 1);
                        path.push((dep, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(dep.to_string());
                        return Err(AppError::InvalidInput(format!(
                            "`dependencies` would create a cycle: {}",
                            cycle.join(" → ")
                        )));
                    }
                    _ => {}
                }
            } else {
                state.insert(node, 2);
                path.pop();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> CreateFeatureInput {
        CreateFeatureInput {
            name: name.into(),
            ..Default::default()
        }
    }

    fn open(dir: &tempfile::TempDir) -> FeatureStore {
        FeatureStore::open(dir.path()).unwrap()
    }

    #[tokio::test]
    async fn opens_twice_with_wal_foreign_keys_and_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        assert_eq!(store.path(), dir.path().join("db").join("flow.sqlite"));
        store.create(input("kept")).await.unwrap();
        drop(store);
        let store = open(&dir);
        assert_eq!(store.journal_mode().await.unwrap(), "wal");
        let (version, fk): (i32, i32) = store
            .with(|conn| {
                let v = conn
                    .pragma_query_value(None, "user_version", |r| r.get(0))
                    .map_err(sql_error("v"))?;
                let fk = conn
                    .pragma_query_value(None, "foreign_keys", |r| r.get(0))
                    .map_err(sql_error("fk"))?;
                Ok((v, fk))
            })
            .await
            .unwrap();
        assert_eq!((version, fk), (db::SCHEMA_VERSION, 1));
        let names: Vec<String> = store
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["kept"]);
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(&dir));
        let conn = Connection::open(db::db_path(dir.path())).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = FeatureStore::open(dir.path()).unwrap_err();
        assert!(matches!(err, AppError::Unavailable(_)), "{err:?}");
    }

    #[tokio::test]
    async fn crud_ordering_and_validation() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let a = store.create(input("a")).await.unwrap();
        assert_eq!((a.id, a.priority), (1, 1));
        let b = store
            .create(CreateFeatureInput {
                name: "b".into(),
                priority: Some(-3),
                category: Some("ui".into()),
                steps: Some(vec!["click".into()]),
                description: Some("desc".into()),
                dependencies: Some(vec![DependencyRef::Id(1)]),
            })
            .await
            .unwrap();
        assert_eq!(b.dependencies, [1]);
        assert_eq!(b.steps, ["click"]);
        let created = b.created_at.clone().unwrap();
        assert!(created.ends_with('Z') && created.contains('T'), "{created}");
        let c = store.create(input("c")).await.unwrap();
        assert_eq!(c.priority, 2, "MAX(priority) + 1");
        let order: Vec<u32> = store.list().await.unwrap().iter().map(|f| f.id).collect();
        assert_eq!(order, [2, 1, 3]);
        assert_eq!(store.get(2).await.unwrap(), b);

        let err = store.create(input("  ")).await.unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput("`name` must not be empty".into())
        );
        let err = store
            .create(CreateFeatureInput {
                dependencies: Some(vec![DependencyRef::Id(42)]),
                ..input("d")
            })
            .await
            .unwrap_err();
        assert_eq!(
            err,
            AppError::NotFound("dependency 42 does not exist".into())
        );
        assert!(matches!(store.get(42).await, Err(AppError::NotFound(_))));

        let (updated, changed) = store
            .update(
                1,
                FeaturePatch {
                    name: Some("A".into()),
                    priority: Some(10),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(changed);
        assert_eq!((updated.name.as_str(), updated.priority), ("A", 10));
        let (_, changed) = store
            .update(
                1,
                FeaturePatch {
                    name: Some("A".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!changed);

        let deleted = store.delete(1).await.unwrap();
        assert_eq!(deleted.name, "A");
        assert!(
            store.get(2).await.unwrap().dependencies.is_empty(),
            "references are dropped"
        );
        assert!(matches!(store.delete(1).await, Err(AppError::NotFound(_))));
        assert!(matches!(store.events(1).await, Err(AppError::NotFound(_))));
        let left: i64 = store
            .with(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM change_events WHERE feature_id = 1",
                    [],
                    |r| r.get(0),
                )
                .map_err(sql_error("count"))
            })
            .await
            .unwrap();
        assert_eq!(left, 0, "the change log goes with the feature");
    }

    #[tokio::test]
    async fn claim_pass_fail_skip_and_the_change_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        store.create(input("a")).await.unwrap();
        store.create(input("b")).await.unwrap();
        assert!(store.claim(1).await.unwrap().in_progress);
        assert!(matches!(store.claim(1).await, Err(AppError::Conflict(_))));
        let passed = store.pass(1).await.unwrap();
        assert!(passed.passes && !passed.in_progress);
        assert!(matches!(store.claim(1).await, Err(AppError::Conflict(_))));
        assert!(!store.fail(1).await.unwrap().passes);
        assert_eq!(store.skip(1).await.unwrap().priority, 3);
        assert!(matches!(store.claim(9).await, Err(AppError::NotFound(_))));
        let log: Vec<String> = store
            .events(1)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event_type)
            .collect();
        assert_eq!(log, ["created", "claimed", "passed", "failed", "skipped"]);
        let skipped = store.events(1).await.unwrap().pop().unwrap();
        assert_eq!(
            (
                skipped.field.as_deref(),
                skipped.old_value.as_deref(),
                skipped.new_value.as_deref()
            ),
            (Some("priority"), Some("1"), Some("3"))
        );
        assert_eq!(skipped.source, "flow");
    }

    #[tokio::test]
    async fn dependencies_cycles_ready_blocked_graph_and_stats() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let batch = store
            .create_bulk(vec![
                input("base"),
                CreateFeatureInput {
                    dependencies: Some(vec![DependencyRef::Index { index: 0 }]),
                    ..input("mid")
                },
                CreateFeatureInput {
                    dependencies: Some(vec![DependencyRef::Index { index: 1 }]),
                    ..input("top")
                },
            ])
            .await
            .unwrap();
        let ids: Vec<u32> = batch.iter().map(|f| f.id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(batch[2].dependencies, [2]);

        let err = store.add_dependency(1, 3).await.unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput("`dependencies` would create a cycle: 1 → 3 → 2 → 1".into())
        );
        assert!(
            store.get(1).await.unwrap().dependencies.is_empty(),
            "rolled back"
        );
        assert!(matches!(
            store.add_dependency(1, 1).await,
            Err(AppError::InvalidInput(_))
        ));
        assert!(matches!(
            store.add_dependency(1, 7).await,
            Err(AppError::NotFound(_))
        ));
        let err = store
            .update(
                1,
                FeaturePatch {
                    dependencies: Some(vec![3]),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::InvalidInput(_)), "{err:?}");

        let err = store
            .create_bulk(vec![
                CreateFeatureInput {
                    dependencies: Some(vec![DependencyRef::Index { index: 1 }]),
                    ..input("x")
                },
                CreateFeatureInput {
                    dependencies: Some(vec![DependencyRef::Index { index: 0 }]),
                    ..input("y")
                },
            ])
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::InvalidInput(_)), "{err:?}");
        let err = store
            .create_bulk(vec![input("ok"), input("")])
            .await
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput("features[1].`name` must not be empty".into())
        );
        let err = store
            .create_bulk(vec![CreateFeatureInput {
                dependencies: Some(vec![DependencyRef::Index { index: 5 }]),
                ..input("x")
            }])
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::InvalidInput(_)), "{err:?}");
        assert_eq!(
            store.list().await.unwrap().len(),
            3,
            "failed batches create nothing"
        );

        let ready: Vec<u32> = store.ready().await.unwrap().iter().map(|f| f.id).collect();
        assert_eq!(ready, [1]);
        let blocked: Vec<u32> = store
            .blocked()
            .await
            .unwrap()
            .iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(blocked, [2, 3]);
        store.pass(1).await.unwrap();
        let ready: Vec<u32> = store.ready().await.unwrap().iter().map(|f| f.id).collect();
        assert_eq!(ready, [2]);
        store.claim(2).await.unwrap();
        let stats = store.stats().await.unwrap();
        assert_eq!(
            stats,
            FeatureStats {
                total: 3,
                passing: 1,
                failing: 1,
                in_progress: 1,
                blocked: 1
            }
        );
        let graph = store.graph().await.unwrap();
        assert_eq!(graph[1].dependents, [3]);
        assert_eq!(graph[1].dependencies, [1]);
        assert!(!graph[1].blocked && graph[2].blocked);

        store.remove_dependency(3, 2).await.unwrap();
        assert!(matches!(
            store.remove_dependency(3, 2).await,
            Err(AppError::NotFound(_))
        ));
        let log: Vec<String> = store
            .events(3)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event_type)
            .collect();
        assert_eq!(log, ["created", "dependency_removed"]);
    }
}
