//! Reading features and their change log.

use rusqlite::{Connection, OptionalExtension, Row};

use crate::AppError;
use crate::board::features::types::{Feature, FeatureChangeEvent};
use crate::db::sql_error;

const FEATURE_COLUMNS: &str = "id, priority, category, name, description, steps, passes, \
     in_progress, dependencies, created_at, updated_at";

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

pub(super) fn all(conn: &Connection) -> Result<Vec<Feature>, AppError> {
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

pub(super) fn get(conn: &Connection, id: u32) -> Result<Feature, AppError> {
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

pub(super) fn ensure_exists(conn: &Connection, id: u32) -> Result<(), AppError> {
    let found: Option<u32> = conn
        .query_row("SELECT id FROM features WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()
        .map_err(sql_error(format!("looking up feature {id}")))?;
    found.map(|_| ()).ok_or_else(|| not_found(id))
}

/// Like [`ensure_exists`], with a message about a dependency.
pub(super) fn ensure_dependency(conn: &Connection, id: u32) -> Result<(), AppError> {
    ensure_exists(conn, id).map_err(|err| match err {
        AppError::NotFound(_) => AppError::NotFound(format!("dependency {id} does not exist")),
        other => other,
    })
}

/// A feature's change log, oldest first; `NotFound` for an unknown feature.
pub(super) fn events(conn: &Connection, id: u32) -> Result<Vec<FeatureChangeEvent>, AppError> {
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
}
