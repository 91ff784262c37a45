//! Collections (`template_collections`) and memberships (`template_membership`).
//!
//! A flow without a membership row is in the system Default collection, so only non-default
//! placement is written, and deleting a collection (which cascades to its membership rows)
//! puts its flows back in Default without touching any file. The Default collection can be
//! neither renamed nor deleted: both are `InvalidInput` (a request that can never succeed,
//! rather than a conflict with changeable state).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::AppError;
use crate::db::sql_error;
use crate::flows::document::{
    Collection, CollectionDeleted, DEFAULT_COLLECTION_NAME, DEFAULT_COLLECTION_SLUG,
};

/// Creates the Default collection if missing and marks it as the system one (idempotent; never
/// clears `is_system`).
pub(super) fn ensure_default(conn: &Connection) -> Result<(), AppError> {
    conn.execute(
        "INSERT INTO template_collections (slug, name, is_system, created_at)
         VALUES (?1, ?2, 1, ?3)
         ON CONFLICT(slug) DO UPDATE SET is_system = 1",
        params![
            DEFAULT_COLLECTION_SLUG,
            DEFAULT_COLLECTION_NAME,
            super::now()
        ],
    )
    .map_err(sql_error("creating the Default collection"))?;
    Ok(())
}

struct Row {
    slug: String,
    name: String,
    is_system: bool,
}

fn find(conn: &Connection, slug: &str) -> Result<Option<Row>, AppError> {
    conn.query_row(
        "SELECT slug, name, is_system FROM template_collections WHERE slug = ?1",
        [slug],
        |row| {
            Ok(Row {
                slug: row.get(0)?,
                name: row.get(1)?,
                is_system: row.get(2)?,
            })
        },
    )
    .optional()
    .map_err(sql_error(format!("reading collection {slug}")))
}

fn not_found(slug: &str) -> AppError {
    AppError::NotFound(format!("no collection named {slug}"))
}

/// `NotFound` unless the collection exists.
pub(super) fn require(conn: &Connection, slug: &str) -> Result<(), AppError> {
    find(conn, slug)?.map(|_| ()).ok_or_else(|| not_found(slug))
}

/// Non-default placements, by flow slug.
pub(super) fn memberships(conn: &Connection) -> Result<HashMap<String, String>, AppError> {
    let context = "reading collection memberships";
    let mut stmt = conn
        .prepare_cached("SELECT template_slug, collection_slug FROM template_membership")
        .map_err(sql_error(context))?;
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(sql_error(context))
}

/// The collection a flow is in.
pub(super) fn membership(conn: &Connection, slug: &str) -> Result<String, AppError> {
    let found: Option<String> = conn
        .query_row(
            "SELECT collection_slug FROM template_membership WHERE template_slug = ?1",
            [slug],
            |row| row.get(0),
        )
        .optional()
        .map_err(sql_error(format!("reading the collection of {slug}")))?;
    Ok(found.unwrap_or_else(|| DEFAULT_COLLECTION_SLUG.to_owned()))
}

/// Puts a flow in `collection` (which must exist).
pub(super) fn place(conn: &Connection, slug: &str, collection: &str) -> Result<(), AppError> {
    if collection == DEFAULT_COLLECTION_SLUG {
        return forget(conn, slug);
    }
    conn.execute(
        "INSERT INTO template_membership (template_slug, collection_slug) VALUES (?1, ?2)
         ON CONFLICT(template_slug) DO UPDATE SET collection_slug = excluded.collection_slug",
        params![slug, collection],
    )
    .map_err(sql_error(format!("moving {slug} to {collection}")))?;
    Ok(())
}

/// Drops a flow's membership row (it is then in Default).
pub(super) fn forget(conn: &Connection, slug: &str) -> Result<(), AppError> {
    conn.execute(
        "DELETE FROM template_membership WHERE template_slug = ?1",
        [slug],
    )
    .map_err(sql_error(format!("clearing the collection of {slug}")))?;
    Ok(())
}

/// Every collection, Default first then by name, with the flow counts given.
pub(super) fn list(
    conn: &Connection,
    counts: &HashMap<String, u32>,
) -> Result<Vec<Collection>, AppError> {
    let context = "listing collections";
    let mut stmt = conn
        .prepare(
            "SELECT slug, name, is_system FROM template_collections
             ORDER BY slug <> ?1, lower(name), slug",
        )
        .map_err(sql_error(context))?;
    stmt.query_map([DEFAULT_COLLECTION_SLUG], |row| {
        let slug: String = row.get(0)?;
        Ok(Collection {
            flow_count: counts.get(&slug).copied().unwrap_or(0),
            slug,
            name: row.get(1)?,
            is_system: row.get(2)?,
        })
    })
    .and_then(Iterator::collect)
    .map_err(sql_error(context))
}

fn clean_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::InvalidInput(
            "a collection name cannot be empty".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Creates a collection; its slug comes from the name, made unique.
pub(super) fn create(conn: &Connection, name: &str) -> Result<Collection, AppError> {
    let name = clean_name(name)?;
    let base = super::base_slug(&name);
    let mut slug = base.clone();
    let mut n = 2;
    while find(conn, &slug)?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    conn.execute(
        "INSERT INTO template_collections (slug, name, is_system, created_at)
         VALUES (?1, ?2, 0, ?3)",
        params![slug, name, super::now()],
    )
    .map_err(sql_error(format!("creating collection {slug}")))?;
    Ok(Collection {
        slug,
        name,
        is_system: false,
        flow_count: 0,
    })
}

fn user_collection(conn: &Connection, slug: &str, action: &str) -> Result<Row, AppError> {
    let row = find(conn, slug)?.ok_or_else(|| not_found(slug))?;
    if row.is_system {
        return Err(AppError::InvalidInput(format!(
            "the {} collection cannot be {action}",
            row.name
        )));
    }
    Ok(row)
}

/// Renames a collection (its slug stays); returns it without its flow count filled in.
pub(super) fn rename(conn: &Connection, slug: &str, name: &str) -> Result<Collection, AppError> {
    let name = clean_name(name)?;
    let row = user_collection(conn, slug, "renamed")?;
    conn.execute(
        "UPDATE template_collections SET name = ?2 WHERE slug = ?1",
        params![slug, name],
    )
    .map_err(sql_error(format!("renaming collection {slug}")))?;
    Ok(Collection {
        slug: row.slug,
        name,
        is_system: false,
        flow_count: 0,
    })
}

/// Deletes a collection; memberships cascade so its flows are back in Default. `moved` is how
/// many of them still exist as files (counted by the caller).
pub(super) fn delete(
    conn: &Connection,
    slug: &str,
    exists: impl Fn(&str) -> bool,
) -> Result<CollectionDeleted, AppError> {
    user_collection(conn, slug, "deleted")?;
    let context = format!("deleting collection {slug}");
    let members: Vec<String> = conn
        .prepare("SELECT template_slug FROM template_membership WHERE collection_slug = ?1")
        .and_then(|mut stmt| {
            stmt.query_map([slug], |row| row.get(0))
                .and_then(Iterator::collect)
        })
        .map_err(sql_error(&context))?;
    // Explicit rather than relying on the cascade alone, so a database opened without foreign
    // keys cannot leave memberships pointing nowhere.
    conn.execute(
        "DELETE FROM template_membership WHERE collection_slug = ?1",
        [slug],
    )
    .map_err(sql_error(&context))?;
    conn.execute("DELETE FROM template_collections WHERE slug = ?1", [slug])
        .map_err(sql_error(&context))?;
    let moved = members.iter().filter(|m| exists(m)).count();
    Ok(CollectionDeleted {
        slug: slug.to_owned(),
        moved_flows: u32::try_from(moved).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_idempotent_and_protected() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("t.sqlite")).unwrap();
        ensure_default(&conn).unwrap();
        conn.execute(
            "UPDATE template_collections SET name = 'Mine' WHERE slug = 'default'",
            [],
        )
        .unwrap();
        ensure_default(&conn).unwrap();
        let listed = list(&conn, &HashMap::new()).unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].is_system);
        let made = create(&conn, " Default ").unwrap();
        assert_eq!(made.slug, "default-2");
        assert!(matches!(
            rename(&conn, "default", "X"),
            Err(AppError::InvalidInput(_))
        ));
        assert!(matches!(
            delete(&conn, "default", |_| true),
            Err(AppError::InvalidInput(_))
        ));
        assert!(matches!(
            rename(&conn, "nope", "X"),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            create(&conn, "  "),
            Err(AppError::InvalidInput(_))
        ));
        place(&conn, "f", "default-2").unwrap();
        assert_eq!(membership(&conn, "f").unwrap(), "default-2");
        let gone = delete(&conn, "default-2", |_| true).unwrap();
        assert_eq!(gone.moved_flows, 1);
        assert_eq!(membership(&conn, "f").unwrap(), DEFAULT_COLLECTION_SLUG);
    }
}
