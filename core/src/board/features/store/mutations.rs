//! Changing features: each function is one transaction's work, its change-log entries
//! included, so a refused change leaves nothing behind.

use rusqlite::{Connection, params};

use super::graph::ensure_acyclic;
use super::queries::{all, ensure_dependency, get};
use crate::AppError;
use crate::board::features::types::{CreateFeatureInput, DependencyRef, Feature, FeaturePatch};
use crate::db::sql_error;

/// Where change-log entries written by Flow say they came from.
const SOURCE: &str = "flow";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

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

/// Marks a feature passing or failing (and no longer in progress), logged as `event`.
pub(super) fn set_status(
    tx: &Connection,
    id: u32,
    passes: bool,
    event: &str,
) -> Result<Feature, AppError> {
    let before = get(tx, id)?;
    tx.execute(
        &format!(
            "UPDATE features SET passes = ?2, in_progress = 0, updated_at = {NOW} WHERE id = ?1"
        ),
        params![id, passes],
    )
    .map_err(sql_error(format!("marking feature {id} {event}")))?;
    log(
        tx,
        id,
        event,
        Some("passes"),
        Some(&before.passes.to_string()),
        Some(&passes.to_string()),
    )?;
    get(tx, id)
}

/// Refuses a blank name, naming the request position in bulk creates.
pub(super) fn check_name(name: &str, at: &str) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(AppError::InvalidInput(format!(
            "{at}`name` must not be empty"
        )));
    }
    Ok(())
}

/// Checks a create's inputs before anything touches the database: names, and `{"index": n}`
/// dependencies (only in a bulk create, inside the batch, not on itself).
pub(super) fn check_inputs(inputs: &[CreateFeatureInput], bulk: bool) -> Result<(), AppError> {
    let count = inputs.len();
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
    Ok(())
}

/// Creates checked inputs (see [`check_inputs`]), resolving batch indices to the new ids.
pub(super) fn create(
    tx: &Connection,
    inputs: &[CreateFeatureInput],
) -> Result<Vec<Feature>, AppError> {
    let mut ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        for dep in input.dependencies.iter().flatten() {
            if let DependencyRef::Id(id) = dep {
                ensure_dependency(tx, *id)?;
            }
        }
        let priority = match input.priority {
            Some(p) => p,
            None => next_priority(tx)?,
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
            set_dependencies(tx, *id, &deps)?;
        }
        log(tx, *id, "created", None, None, Some(&input.name))?;
    }
    ensure_acyclic(&all(tx)?)?;
    let created = ids
        .iter()
        .map(|id| get(tx, *id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(created)
}

/// Applies a partial change (its name already checked); also says whether anything changed.
pub(super) fn update(
    tx: &Connection,
    id: u32,
    patch: FeaturePatch,
) -> Result<(Feature, bool), AppError> {
    let before = get(tx, id)?;
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
            ensure_dependency(tx, dep)?;
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
        ensure_acyclic(&all(tx)?)?;
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
            log(tx, id, "updated", Some(field), Some(&old), Some(&new))?;
        }
    }
    let feature = get(tx, id)?;
    Ok((feature, true))
}

/// Deletes a feature and drops it from other features' dependencies; returns it as it was.
pub(super) fn delete(tx: &Connection, id: u32) -> Result<Feature, AppError> {
    let feature = get(tx, id)?;
    for other in all(tx)? {
        if other.dependencies.contains(&id) {
            let deps: Vec<u32> = other
                .dependencies
                .iter()
                .copied()
                .filter(|d| *d != id)
                .collect();
            set_dependencies(tx, other.id, &deps)?;
            log(
                tx,
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
    Ok(feature)
}

/// Marks a feature in progress; `Conflict` if it already is, or already passes.
pub(super) fn claim(tx: &Connection, id: u32) -> Result<Feature, AppError> {
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
        let feature = get(tx, id)?;
        let why = if feature.passes {
            "already passes"
        } else {
            "is already in progress"
        };
        return Err(AppError::Conflict(format!("feature {id} {why}")));
    }
    log(
        tx,
        id,
        "claimed",
        Some("inProgress"),
        Some("false"),
        Some("true"),
    )?;
    get(tx, id)
}

/// Moves a feature behind every other one.
pub(super) fn skip(tx: &Connection, id: u32) -> Result<Feature, AppError> {
    let before = get(tx, id)?;
    let priority = next_priority(tx)?;
    tx.execute(
        &format!("UPDATE features SET priority = ?2, updated_at = {NOW} WHERE id = ?1"),
        params![id, priority],
    )
    .map_err(sql_error(format!("skipping feature {id}")))?;
    log(
        tx,
        id,
        "skipped",
        Some("priority"),
        Some(&before.priority.to_string()),
        Some(&priority.to_string()),
    )?;
    get(tx, id)
}

/// Makes `id` depend on `dependency_id`, refusing a cycle.
pub(super) fn add_dependency(
    tx: &Connection,
    id: u32,
    dependency_id: u32,
) -> Result<Feature, AppError> {
    let feature = get(tx, id)?;
    if dependency_id == id {
        return Err(AppError::InvalidInput(format!(
            "feature {id} cannot depend on itself"
        )));
    }
    ensure_dependency(tx, dependency_id)?;
    if feature.dependencies.contains(&dependency_id) {
        return Ok(feature);
    }
    let mut deps = feature.dependencies;
    deps.push(dependency_id);
    set_dependencies(tx, id, &deps)?;
    ensure_acyclic(&all(tx)?)?;
    log(
        tx,
        id,
        "dependency_added",
        Some("dependencies"),
        None,
        Some(&dependency_id.to_string()),
    )?;
    get(tx, id)
}

/// Drops `dependency_id` from `id`'s dependencies.
pub(super) fn remove_dependency(
    tx: &Connection,
    id: u32,
    dependency_id: u32,
) -> Result<Feature, AppError> {
    let feature = get(tx, id)?;
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
    set_dependencies(tx, id, &deps)?;
    log(
        tx,
        id,
        "dependency_removed",
        Some("dependencies"),
        Some(&dependency_id.to_string()),
        None,
    )?;
    get(tx, id)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{input, open};
    use crate::AppError;
    use crate::board::features::types::{CreateFeatureInput, DependencyRef, FeaturePatch};
    use crate::db::sql_error;

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
            .db
            .read(|c| {
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
}
