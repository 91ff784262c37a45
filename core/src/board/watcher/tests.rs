//! The watcher on real directories: events for task files and transcripts, quiet reads,
//! late directories, the index updated before the event, and an overflow's rescan.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::bus::Subscription;
use crate::event::FileChange;
use crate::{BusItem, FlowEvent};

async fn next_event(sub: &mut Subscription) -> FlowEvent {
    match tokio::time::timeout(Duration::from_secs(10), sub.next()).await {
        Ok(Some(BusItem::Event(envelope))) => envelope.event.clone(),
        other => panic!("no board event: {other:?}"),
    }
}

/// Waits until an event matching `want` arrives, skipping others.
async fn wait_for(sub: &mut Subscription, want: impl Fn(&FlowEvent) -> bool) -> FlowEvent {
    loop {
        let event = next_event(sub).await;
        if want(&event) {
            return event;
        }
    }
}

fn update_of(event: &FlowEvent) -> Option<(FileChange, Option<&str>, Option<&str>)> {
    match event {
        FlowEvent::Update {
            event,
            session_id,
            file,
        } => Some((*event, session_id.as_deref(), file.as_deref())),
        _ => None,
    }
}

struct Watched {
    bus: Arc<EventBus>,
    index: Arc<BoardIndex>,
    _watcher: BoardWatcher,
}

async fn watch(tasks: &Path, projects: &Path) -> Watched {
    watch_with_room(tasks, projects, 64).await
}

/// `room`: events a subscriber may fall behind by before it gets a resync.
async fn watch_with_room(tasks: &Path, projects: &Path, room: usize) -> Watched {
    let bus = Arc::new(EventBus::new(room, room));
    let index = Arc::new(BoardIndex::new(tasks.to_path_buf(), projects.to_path_buf()));
    let watcher = start(bus.clone(), index.clone()).unwrap();
    index.ready().await;
    Watched {
        bus,
        index,
        _watcher: watcher,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_files_and_transcripts_become_board_events() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    let projects = root.path().join("projects");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    std::fs::create_dir_all(projects.join("-home-me-app")).unwrap();
    let watched = watch(&tasks, &projects).await;
    let mut sub = watched.bus.subscribe(None);

    std::fs::write(tasks.join("s1/1.json"), r#"{"id":"1"}"#).unwrap();
    let added = wait_for(&mut sub, |e| update_of(e).is_some()).await;
    assert_eq!(
        update_of(&added),
        Some((FileChange::Add, Some("s1"), Some("1.json")))
    );

    crate::atomic_file::write(&tasks.join("s1/1.json"), br#"{"id":"1","x":1}"#).unwrap();
    let changed = wait_for(&mut sub, |e| {
        update_of(e).is_some_and(|(_, _, f)| f == Some("1.json"))
    })
    .await;
    assert_eq!(update_of(&changed).map(|u| u.0), Some(FileChange::Change));

    std::fs::remove_file(tasks.join("s1/1.json")).unwrap();
    wait_for(&mut sub, |e| {
        update_of(e) == Some((FileChange::Unlink, Some("s1"), Some("1.json")))
    })
    .await;

    std::fs::write(projects.join("-home-me-app/abc.jsonl"), "{}\n").unwrap();
    wait_for(&mut sub, |e| *e == FlowEvent::MetadataUpdate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_holds_the_change_before_the_event_goes_out() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    let watched = watch(&tasks, &root.path().join("projects")).await;
    let mut sub = watched.bus.subscribe(None);
    for round in 0..20 {
        let body = format!(r#"{{"id":"1","subject":"round {round}"}}"#);
        crate::atomic_file::write(&tasks.join("s1/1.json"), body.as_bytes()).unwrap();
        // One write may be reported more than once; the refetch after the event that reports
        // it must see it (were the index behind its events, this would wait in vain).
        loop {
            wait_for(&mut sub, |e| update_of(e).is_some()).await;
            let tasks = watched
                .index
                .session_tasks("s1".into(), false)
                .await
                .unwrap()
                .unwrap()
                .decode()
                .unwrap();
            if tasks[0].subject == format!("round {round}") {
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_ends_with_every_write_in_the_index() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    let watched = watch(&tasks, &root.path().join("projects")).await;
    let mut sub = watched.bus.subscribe(None);
    for n in 0..200 {
        let body = format!(r#"{{"id":"{n}","subject":"burst"}}"#);
        std::fs::write(tasks.join(format!("s1/{n}.json")), body).unwrap();
    }
    // Each event (a file, or "everything" for a large batch) is followed by a refetch, as a
    // client does; once the burst is over the last refetch must hold all of it.
    let mut count = 0;
    while count < 200 {
        match tokio::time::timeout(Duration::from_secs(10), sub.next()).await {
            Ok(Some(_event_or_resync)) => {}
            other => panic!("the burst stopped short at {count} tasks: {other:?}"),
        }
        let listed = watched
            .index
            .sessions(None)
            .await
            .unwrap()
            .decode()
            .unwrap();
        count = listed[0].task_count;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_sidecars_stay_quiet() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    std::fs::write(tasks.join("s1/1.json"), r#"{"id":"1"}"#).unwrap();
    let watched = watch(&tasks, &root.path().join("projects")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut sub = watched.bus.subscribe(None);
    for _ in 0..20 {
        std::fs::read(tasks.join("s1/1.json")).unwrap();
    }
    std::fs::write(tasks.join("s1/.lock"), "").unwrap();
    std::fs::write(tasks.join("s1/.highwatermark"), "3").unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(800), sub.next()).await;
    assert!(quiet.is_err(), "unexpected event: {quiet:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_created_later_is_picked_up() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    let watched = watch(&tasks, &root.path().join("projects")).await;
    let mut sub = watched.bus.subscribe(None);
    std::fs::create_dir_all(tasks.join("team-alpha")).unwrap();
    std::fs::write(tasks.join("team-alpha/7.json"), r#"{"id":7}"#).unwrap();
    // Written before the directory was armed: the walk on arming finds it.
    let event = wait_for(&mut sub, |e| update_of(e).is_some()).await;
    assert_eq!(
        update_of(&event).map(|u| (u.1, u.2)),
        Some((Some("team-alpha"), Some("7.json")))
    );
    std::fs::write(tasks.join("team-alpha/8.json"), r#"{"id":8}"#).unwrap();
    wait_for(&mut sub, |e| {
        update_of(e) == Some((FileChange::Add, Some("team-alpha"), Some("8.json")))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_and_recreated_tasks_dir_is_watched_again() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    std::fs::write(tasks.join("s1/1.json"), r#"{"id":"1"}"#).unwrap();
    let watched = watch(&tasks, &root.path().join("projects")).await;
    let mut sub = watched.bus.subscribe(None);
    std::fs::remove_dir_all(&tasks).unwrap();
    wait_for(&mut sub, |e| {
        update_of(e) == Some((FileChange::Unlink, Some("s1"), Some("1.json")))
    })
    .await;
    std::fs::create_dir_all(tasks.join("s2")).unwrap();
    std::fs::write(tasks.join("s2/1.json"), r#"{"id":"1"}"#).unwrap();
    wait_for(&mut sub, |e| {
        update_of(e).is_some_and(|u| u.1 == Some("s2"))
    })
    .await;
    std::fs::write(tasks.join("s2/2.json"), r#"{"id":"2"}"#).unwrap();
    wait_for(&mut sub, |e| {
        update_of(e) == Some((FileChange::Add, Some("s2"), Some("2.json")))
    })
    .await;
}

#[tokio::test]
async fn an_overflow_rebuilds_the_index_and_tells_clients() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    let bus = Arc::new(EventBus::new(64, 64));
    let index = Arc::new(BoardIndex::new(tasks.clone(), root.path().join("projects")));
    let _first = index.reconcile();
    let mut indexer = Indexer {
        bus: bus.clone(),
        index: index.clone(),
        watcher: None,
        missing: Vec::new(),
        stop: Arc::new(AtomicBool::new(false)),
        polling: Arc::new(AtomicBool::new(false)),
    };
    let mut sub = bus.subscribe(None);
    // Written while the kernel queue overflowed: no event for it ever comes.
    std::fs::write(tasks.join("s1/1.json"), r#"{"id":"1"}"#).unwrap();
    let overflow = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
    assert!(
        !indexer.handle(vec![Signal::File(Ok(overflow))]),
        "no root was removed"
    );
    assert_eq!(
        update_of(&next_event(&mut sub).await),
        Some((FileChange::Add, Some("s1"), Some("1.json")))
    );
    let listed = index.sessions(None).await.unwrap().decode().unwrap();
    assert_eq!(listed[0].task_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_storm_and_folders_coming_and_going_end_right_without_an_event_storm() {
    const RENAMES: usize = 1000;
    const CYCLES: usize = 20;
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    std::fs::create_dir_all(tasks.join("s1")).unwrap();
    std::fs::write(tasks.join("s1/0.json"), r#"{"subject":"moving"}"#).unwrap();
    // Room for every event, so none is folded into a resync and all of them are counted.
    let watched = watch_with_room(&tasks, &root.path().join("projects"), 8 * RENAMES).await;
    let mut sub = watched.bus.subscribe(None);
    for n in 0..RENAMES {
        std::fs::rename(
            tasks.join(format!("s1/{n}.json")),
            tasks.join(format!("s1/{}.json", n + 1)),
        )
        .unwrap();
    }
    for _ in 0..CYCLES {
        std::fs::create_dir_all(tasks.join("s2")).unwrap();
        std::fs::write(tasks.join("s2/1.json"), r#"{"id":"1"}"#).unwrap();
        std::fs::remove_dir_all(tasks.join("s2")).unwrap();
    }
    std::fs::write(tasks.join("s1/barrier.json"), r#"{"id":"barrier"}"#).unwrap();
    // Count every event until the index holds the end state and the stream has gone quiet.
    let ids_of = |listed: Vec<crate::board::Task>| {
        let mut ids: Vec<String> = listed.into_iter().map(|t| t.id).collect();
        ids.sort();
        ids
    };
    let want = vec![format!("{RENAMES}"), "barrier".to_owned()];
    let mut events = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout(Duration::from_millis(500), sub.next()).await {
            Ok(Some(BusItem::Event(_))) => events += 1,
            Ok(other) => panic!("the stream broke: {other:?}"),
            Err(_quiet) => {
                let s1 = watched
                    .index
                    .session_tasks("s1".into(), true)
                    .await
                    .unwrap();
                let done = s1.map(|json| ids_of(json.decode().unwrap())) == Some(want.clone());
                if done {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the index never settled"
                );
            }
        }
    }
    // No amplification: at most one event per change (a rename is two), usually fewer.
    let changes = 2 * RENAMES + 3 * CYCLES + 1;
    assert!(events <= changes, "{events} events for {changes} changes");
    let listed = watched
        .index
        .sessions(None)
        .await
        .unwrap()
        .decode()
        .unwrap();
    let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["s1"], "the removed folder is gone from the index");
}
