//! The features store on the app's shared [`Db`]: reads in [`queries`], changes in
//! [`mutations`] (each one transaction), and what the dependency graph says (cycles, ready and
//! blocked features) in [`graph`].

mod graph;
mod mutations;
mod queries;

use std::path::Path;

use super::types::{
    CreateFeatureInput, Feature, FeatureChangeEvent, FeatureGraphNode, FeaturePatch, FeatureStats,
};
use crate::AppError;
use crate::db::{Db, sql_error};

/// The features database of one data directory.
pub struct FeatureStore {
    db: Db,
}

impl std::fmt::Debug for FeatureStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeatureStore")
            .field("path", &self.db.path())
            .finish_non_exhaustive()
    }
}

impl FeatureStore {
    /// Opens (creating and migrating if needed) `<data_dir>/db/flow.sqlite`.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        Ok(Self::on(&Db::open(data_dir)?))
    }

    /// The features tables of an open database.
    pub fn on(db: &Db) -> Self {
        Self {
            db: db.for_store("features"),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// The journal mode in force (`wal`).
    pub async fn journal_mode(&self) -> Result<String, AppError> {
        self.db
            .read(|conn| {
                conn.pragma_query_value(None, "journal_mode", |row| row.get(0))
                    .map_err(sql_error("reading the journal mode"))
            })
            .await
    }

    /// Every feature, by priority (then id).
    pub async fn list(&self) -> Result<Vec<Feature>, AppError> {
        self.db.read(queries::all).await
    }

    /// One feature.
    pub async fn get(&self, id: u32) -> Result<Feature, AppError> {
        self.db.read(move |conn| queries::get(conn, id)).await
    }

    /// Creates one feature; its dependencies must be existing ids.
    pub async fn create(&self, input: CreateFeatureInput) -> Result<Feature, AppError> {
        let inputs = vec![input];
        mutations::check_inputs(&inputs, false)?;
        let mut created = self
            .db
            .transaction(move |tx| mutations::create(tx, &inputs))
            .await?;
        created
            .pop()
            .ok_or_else(|| AppError::Internal("created feature went missing".into()))
    }

    /// Creates several features in one transaction; dependencies may point into the batch with
    /// `{"index": n}`. Everything is validated first: on any error nothing is created.
    pub async fn create_bulk(
        &self,
        inputs: Vec<CreateFeatureInput>,
    ) -> Result<Vec<Feature>, AppError> {
        mutations::check_inputs(&inputs, true)?;
        self.db
            .transaction(move |tx| mutations::create(tx, &inputs))
            .await
    }

    /// Applies a partial change; also says whether anything changed.
    pub async fn update(&self, id: u32, patch: FeaturePatch) -> Result<(Feature, bool), AppError> {
        if let Some(name) = &patch.name {
            mutations::check_name(name, "")?;
        }
        self.db
            .transaction(move |tx| mutations::update(tx, id, patch))
            .await
    }

    /// Deletes a feature (and its change log) and removes it from other features' dependencies;
    /// returns it as it was.
    pub async fn delete(&self, id: u32) -> Result<Feature, AppError> {
        self.db
            .transaction(move |tx| mutations::delete(tx, id))
            .await
    }

    /// Marks a feature in progress; `Conflict` if it already is, or already passes.
    pub async fn claim(&self, id: u32) -> Result<Feature, AppError> {
        self.db
            .transaction(move |tx| mutations::claim(tx, id))
            .await
    }

    /// Marks a feature passing (and no longer in progress).
    pub async fn pass(&self, id: u32) -> Result<Feature, AppError> {
        self.db
            .transaction(move |tx| mutations::set_status(tx, id, true, "passed"))
            .await
    }

    /// Marks a feature failing (and no longer in progress).
    pub async fn fail(&self, id: u32) -> Result<Feature, AppError> {
        self.db
            .transaction(move |tx| mutations::set_status(tx, id, false, "failed"))
            .await
    }

    /// Moves a feature behind every other one (`priority = MAX(priority) + 1`).
    pub async fn skip(&self, id: u32) -> Result<Feature, AppError> {
        self.db.transaction(move |tx| mutations::skip(tx, id)).await
    }

    /// Makes `id` depend on `dependency_id`; a cycle is refused. Adding an existing dependency
    /// changes nothing.
    pub async fn add_dependency(&self, id: u32, dependency_id: u32) -> Result<Feature, AppError> {
        self.db
            .transaction(move |tx| mutations::add_dependency(tx, id, dependency_id))
            .await
    }

    /// Drops `dependency_id` from `id`'s dependencies; `NotFound` if it was not one.
    pub async fn remove_dependency(
        &self,
        id: u32,
        dependency_id: u32,
    ) -> Result<Feature, AppError> {
        self.db
            .transaction(move |tx| mutations::remove_dependency(tx, id, dependency_id))
            .await
    }

    /// Counts over every feature.
    pub async fn stats(&self) -> Result<FeatureStats, AppError> {
        Ok(graph::stats(&self.list().await?))
    }

    /// Features an agent can take now: not passing, not in progress, every dependency passing.
    pub async fn ready(&self) -> Result<Vec<Feature>, AppError> {
        Ok(graph::ready(&self.list().await?))
    }

    /// Features with at least one dependency that does not pass.
    pub async fn blocked(&self) -> Result<Vec<Feature>, AppError> {
        Ok(graph::blocked(&self.list().await?))
    }

    /// The dependency graph: every feature with its dependencies and dependents.
    pub async fn graph(&self) -> Result<Vec<FeatureGraphNode>, AppError> {
        Ok(graph::nodes(self.list().await?))
    }

    /// A feature's change log, oldest first.
    pub async fn events(&self, id: u32) -> Result<Vec<FeatureChangeEvent>, AppError> {
        self.db.read(move |conn| queries::events(conn, id)).await
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::db;

    pub(super) fn input(name: &str) -> CreateFeatureInput {
        CreateFeatureInput {
            name: name.into(),
            ..Default::default()
        }
    }

    pub(super) fn open(dir: &tempfile::TempDir) -> FeatureStore {
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
            .db
            .read(|conn| {
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
}
