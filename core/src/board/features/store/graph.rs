//! What the dependency graph says: cycles, and which features are ready or blocked. Pure
//! functions over the features as read.

use std::collections::{HashMap, HashSet};

use crate::AppError;
use crate::board::features::types::{Feature, FeatureGraphNode, FeatureStats};

/// Counts over every feature.
pub(super) fn stats(features: &[Feature]) -> FeatureStats {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let total = count(features.len());
    let passing = count(features.iter().filter(|f| f.passes).count());
    let in_progress = count(features.iter().filter(|f| f.in_progress).count());
    let blocked = count(blocked(features).len());
    FeatureStats {
        total,
        passing,
        failing: total.saturating_sub(passing).saturating_sub(in_progress),
        in_progress,
        blocked,
    }
}

/// Features an agent can take now: not passing, not in progress, every dependency passing
/// (a dependency on a feature that no longer exists does not hold one back).
pub(super) fn ready(features: &[Feature]) -> Vec<Feature> {
    let passing: HashSet<u32> = features.iter().filter(|f| f.passes).map(|f| f.id).collect();
    let known: HashSet<u32> = features.iter().map(|f| f.id).collect();
    features
        .iter()
        .filter(|f| {
            !f.passes
                && !f.in_progress
                && f.dependencies
                    .iter()
                    .all(|d| passing.contains(d) || !known.contains(d))
        })
        .cloned()
        .collect()
}

/// Features with at least one dependency that exists and does not pass.
pub(super) fn blocked(features: &[Feature]) -> Vec<Feature> {
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

/// Every feature with its dependencies and dependents.
pub(super) fn nodes(features: Vec<Feature>) -> Vec<FeatureGraphNode> {
    let blocked: HashSet<u32> = blocked(&features).iter().map(|f| f.id).collect();
    let mut dependents: HashMap<u32, Vec<u32>> = HashMap::new();
    for feature in &features {
        for dep in &feature.dependencies {
            dependents.entry(*dep).or_default().push(feature.id);
        }
    }
    features
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
        .collect()
}

/// Refuses a dependency cycle, naming it (`1 → 2 → 1`).
pub(super) fn ensure_acyclic(features: &[Feature]) -> Result<(), AppError> {
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
    use super::super::tests::{input, open};
    use crate::AppError;
    use crate::board::features::types::{
        CreateFeatureInput, DependencyRef, FeaturePatch, FeatureStats,
    };

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
