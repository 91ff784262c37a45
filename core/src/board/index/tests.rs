//! The index against real files: answers as the original computed them, updates from single
//! paths, rescans, and reading only appended transcript bytes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::board::{SessionListItem, Task};
use crate::event::FileChange;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn touch(path: &Path, secs: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

fn built(tasks: &Path, projects: &Path) -> Arc<BoardIndex> {
    let index = Arc::new(BoardIndex::new(tasks.to_path_buf(), projects.to_path_buf()));
    assert!(
        index.reconcile().is_empty(),
        "the first build publishes nothing"
    );
    index
}

async fn sessions(index: &Arc<BoardIndex>, limit: Option<usize>) -> Vec<SessionListItem> {
    index.sessions(limit).await.unwrap().decode().unwrap()
}

async fn tasks_of(index: &Arc<BoardIndex>, list: &str) -> Vec<Task> {
    index
        .session_tasks(list.into(), false)
        .await
        .unwrap()
        .unwrap()
        .decode()
        .unwrap()
}

fn update(event: FileChange, list: &str, file: &str) -> FlowEvent {
    FlowEvent::Update {
        event,
        session_id: Some(list.into()),
        file: Some(file.into()),
    }
}

#[tokio::test]
async fn lists_sessions_with_metadata_jsonl_only_sessions_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join("tasks");
    let projects = dir.path().join("projects");
    let a = "aaaaaaaa-0000-4000-8000-000000000001";
    let b = "bbbbbbbb-0000-4000-8000-000000000002";
    let c = "cccccccc-0000-4000-8000-000000000003";
    write(
        &tasks.join(a).join("1.json"),
        r#"{"id":"1","subject":"x","status":"completed"}"#,
    );
    write(
        &tasks.join(a).join("2.json"),
        r#"{"id":"2","subject":"y","status":"in_progress"}"#,
    );
    write(&tasks.join(a).join("3.json"), r#"{"id":"3","#);
    write(&tasks.join(a).join(".lock"), "");
    touch(&tasks.join(a).join("1.json"), 1_000);
    touch(&tasks.join(a).join("2.json"), 3_000);
    touch(&tasks.join(a).join("3.json"), 2_000);
    let session_b = tasks.join(format!("session-{b}"));
    write(
        &session_b.join("1.json"),
        r#"{"id":1,"subject":"z","description":null}"#,
    );
    touch(&session_b.join("1.json"), 2_000);
    let proj = projects.join("-home-dev-src-webapp");
    write(
        &proj.join(format!("{a}.jsonl")),
        &format!(
            "{}\n{}\n",
            r#"{"type":"user","cwd":"/home/dev/src/webapp","slug":"glimmering-dancing-otter","gitBranch":"main","message":{"role":"user","content":"x"},"timestamp":"2026-03-05T10:00:00.118Z"}"#,
            r#"{"type":"custom-title","customTitle":"refactor-auth-flow"}"#
        ),
    );
    write(
        &proj.join(format!("{b}.jsonl")),
        r#"{"type":"user","cwd":"/b","slug":"b-slug","message":{"role":"user","content":"x"}}"#,
    );
    write(
        &proj.join(format!("{c}.jsonl")),
        r#"{"type":"user","cwd":"/c","message":{"role":"user","content":"x"}}"#,
    );
    write(
        &proj.join("agent-1234.jsonl"),
        r#"{"type":"user","cwd":"/agent"}"#,
    );
    touch(&proj.join(format!("{c}.jsonl")), 500);
    write(
        &proj.join("sessions-index.json"),
        &format!(
            r#"{{"version":1,"entries":[{{"sessionId":"{a}","summary":"JWT auth","gitBranch":"feat/auth","created":"2026-03-05T09:00:00.000Z"}},{{"sessionId":"zzz","gitBranch":"x"}}]}}"#
        ),
    );

    let index = built(&tasks, &projects);
    let all = sessions(&index, None).await;
    let ids: Vec<_> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [a.to_owned(), format!("session-{b}"), c.to_owned()]);
    let first = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(first["name"], "refactor-auth-flow");
    assert_eq!(first["slug"], "glimmering-dancing-otter");
    assert_eq!(first["project"], "/home/dev/src/webapp");
    assert_eq!(first["description"], "JWT auth");
    assert_eq!(first["gitBranch"], "feat/auth");
    assert_eq!(first["createdAt"], "2026-03-05T09:00:00.000Z");
    assert_eq!(first["modifiedAt"], "1970-01-01T00:50:00.000Z");
    assert_eq!(
        (
            first["taskCount"].clone(),
            first["completed"].clone(),
            first["inProgress"].clone(),
            first["pending"].clone()
        ),
        (3.into(), 1.into(), 1.into(), 0.into())
    );
    assert_eq!(first["transcript"]["messageCount"], 1);
    assert_eq!(all[1].name.as_deref(), Some("b-slug"));
    assert_eq!(all[2].task_count, 0);
    assert_eq!(all[2].project.as_deref(), Some("/c"));
    assert_eq!(all[2].description, None);
    assert_eq!(sessions(&index, Some(1)).await.len(), 1);
    let empty = built(&dir.path().join("none"), &dir.path().join("none"));
    assert!(sessions(&empty, None).await.is_empty());

    let tasks_b = index
        .session_tasks(format!("session-{b}"), false)
        .await
        .unwrap()
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(tasks_b[0].id, "1");
    assert!(
        index
            .session_tasks("missing".into(), false)
            .await
            .unwrap()
            .is_none()
    );
    let every = index.all_tasks(false).await.unwrap().decode().unwrap();
    assert_eq!(every.len(), 3);
    let from_b = every
        .iter()
        .find(|t| t.session_id.starts_with("session-"))
        .unwrap();
    assert_eq!(from_b.session_name.as_deref(), Some("b-slug"));
    assert_eq!(from_b.project.as_deref(), Some("/b"));
}

#[tokio::test]
async fn a_changed_file_is_read_alone_and_answers_follow() {
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join("tasks");
    let projects = dir.path().join("projects");
    write(
        &tasks.join("s1/1.json"),
        r#"{"id":"1","subject":"a","status":"pending"}"#,
    );
    write(&tasks.join("s2/1.json"), r#"{"id":"1","subject":"other"}"#);
    let index = built(&tasks, &projects);
    let first = index.sessions(None).await.unwrap();
    assert_eq!(
        first,
        index.sessions(None).await.unwrap(),
        "a cached answer"
    );

    write(
        &tasks.join("s1/1.json"),
        r#"{"id":"1","subject":"a","status":"in_progress"}"#,
    );
    write(&tasks.join("s1/2.json"), r#"{"id":"2","subject":"b"}"#);
    // Only the paths given are looked at: s2's change stays unseen until its own event.
    write(
        &tasks.join("s2/1.json"),
        r#"{"id":"1","subject":"changed unseen"}"#,
    );
    let events = index.refresh(&[tasks.join("s1/1.json"), tasks.join("s1/2.json")]);
    assert_eq!(
        events,
        [
            update(FileChange::Add, "s1", "2.json"),
            update(FileChange::Change, "s1", "1.json")
        ]
    );
    let s1 = tasks_of(&index, "s1").await;
    assert_eq!(s1.len(), 2);
    assert_eq!(s1[0].status, "in_progress");
    assert_eq!(tasks_of(&index, "s2").await[0].subject, "other");
    let listed = sessions(&index, None).await;
    let s1_item = listed.iter().find(|s| s.id == "s1").unwrap();
    assert_eq!(
        (s1_item.task_count, s1_item.in_progress, s1_item.pending),
        (2, 1, 1)
    );

    std::fs::remove_file(tasks.join("s1/2.json")).unwrap();
    assert_eq!(
        index.refresh(&[tasks.join("s1/2.json")]),
        [update(FileChange::Unlink, "s1", "2.json")]
    );
    assert_eq!(tasks_of(&index, "s1").await.len(), 1);

    // A new list directory brings its files; a removed one drops them.
    write(&tasks.join("team/7.json"), r#"{"id":"7","subject":"t"}"#);
    assert_eq!(
        index.refresh(&[tasks.join("team")]),
        [update(FileChange::Add, "team", "7.json")]
    );
    std::fs::remove_dir_all(tasks.join("team")).unwrap();
    assert_eq!(
        index.refresh(&[tasks.join("team/7.json"), tasks.join("team")]),
        [update(FileChange::Unlink, "team", "7.json")]
    );
    assert!(
        index
            .session_tasks("team".into(), false)
            .await
            .unwrap()
            .is_none()
    );
    // Sidecars and unrelated paths change nothing and say nothing.
    write(&tasks.join("s1/.highwatermark"), "3");
    assert!(
        index
            .refresh(&[tasks.join("s1/.highwatermark"), dir.path().join("x")])
            .is_empty()
    );
}

#[tokio::test]
async fn transcripts_and_session_indexes_update_metadata_reading_only_appended_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join("tasks");
    let projects = dir.path().join("projects");
    let jsonl = projects.join("-p/abc.jsonl");
    let line = r#"{"type":"user","cwd":"/p","slug":"a-b-c","message":{"role":"user","content":"x"},"timestamp":"2026-01-01T00:00:00.000Z"}"#;
    write(&jsonl, &format!("{line}\n").repeat(1000));
    let index = built(&tasks, &projects);
    let read_at_start = index.transcript_bytes_read();
    assert_eq!(read_at_start, std::fs::metadata(&jsonl).unwrap().len());
    let item = sessions(&index, None).await.remove(0);
    assert_eq!(item.transcript.as_ref().unwrap().message_count, 1000);

    let appended = "{\"type\":\"custom-title\",\"customTitle\":\"renamed\"}\n";
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&jsonl)
        .unwrap();
    std::io::Write::write_all(&mut file, appended.as_bytes()).unwrap();
    assert_eq!(
        index.refresh(std::slice::from_ref(&jsonl)),
        [FlowEvent::MetadataUpdate]
    );
    assert_eq!(
        index.transcript_bytes_read(),
        read_at_start + appended.len() as u64,
        "only the appended line was read"
    );
    assert_eq!(
        sessions(&index, None).await[0].name.as_deref(),
        Some("renamed")
    );

    write(
        &projects.join("-p/sessions-index.json"),
        r#"{"entries":[{"sessionId":"abc","summary":"Sum","gitBranch":"feat"}]}"#,
    );
    assert_eq!(
        index.refresh(&[projects.join("-p/sessions-index.json")]),
        [FlowEvent::MetadataUpdate]
    );
    let item = sessions(&index, None).await.remove(0);
    assert_eq!(
        (item.description.as_deref(), item.git_branch.as_deref()),
        (Some("Sum"), Some("feat"))
    );
    // Unchanged: no event.
    assert!(
        index
            .refresh(&[projects.join("-p/sessions-index.json")])
            .is_empty()
    );

    std::fs::remove_file(&jsonl).unwrap();
    assert_eq!(index.refresh(&[jsonl]), [FlowEvent::MetadataUpdate]);
    assert!(sessions(&index, None).await.is_empty());
}

#[tokio::test]
async fn a_rescan_finds_what_no_event_reported() {
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join("tasks");
    let projects = dir.path().join("projects");
    write(&tasks.join("s1/1.json"), r#"{"id":"1","subject":"a"}"#);
    write(&tasks.join("s1/2.json"), r#"{"id":"2","subject":"b"}"#);
    let index = built(&tasks, &projects);
    write(
        &tasks.join("s1/1.json"),
        r#"{"id":"1","subject":"a2","more":true}"#,
    );
    std::fs::remove_file(tasks.join("s1/2.json")).unwrap();
    write(&tasks.join("s9/1.json"), r#"{"id":"1","subject":"new"}"#);
    write(&projects.join("-p/x.jsonl"), "{\"type\":\"user\"}\n");
    assert_eq!(
        index.reconcile(),
        [
            update(FileChange::Add, "s9", "1.json"),
            update(FileChange::Change, "s1", "1.json"),
            update(FileChange::Unlink, "s1", "2.json"),
            FlowEvent::MetadataUpdate,
        ]
    );
    assert_eq!(tasks_of(&index, "s1").await[0].subject, "a2");
    assert!(index.reconcile().is_empty(), "nothing changed since");
    // A refresh of the root (the watched directory itself replaced) is a rescan too.
    write(&tasks.join("s1/3.json"), r#"{"id":"3"}"#);
    assert_eq!(
        index.refresh(std::slice::from_ref(&tasks)),
        [update(FileChange::Add, "s1", "3.json")]
    );
}

#[tokio::test]
async fn task_times_follow_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join("tasks");
    write(&tasks.join("s1/2.json"), r#"{"id":"2"}"#);
    write(&tasks.join("s1/1.json"), r#"{"id":"1"}"#);
    write(
        &tasks.join("s1/3.json"),
        r#"{"id":"3","metadata":{"_internal":true}}"#,
    );
    touch(&tasks.join("s1/1.json"), 4_000_000_000);
    let index = built(&tasks, &dir.path().join("projects"));
    let times = index.task_times(Some("s1")).await.unwrap();
    let ids: Vec<_> = times.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["1", "2"], "by id, lifecycle tasks left out");
    assert_eq!(times[0].updated_at, "2096-10-02T07:06:40.000Z");
    assert!(times[0].created_at <= times[0].updated_at);
    assert!(index.task_times(Some("missing")).await.is_none());
    assert_eq!(index.task_times(None).await.unwrap().len(), 2);
}

#[tokio::test]
async fn requests_wait_for_the_first_build() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("tasks/s1/1.json"), r#"{"id":"1"}"#);
    let index = Arc::new(BoardIndex::new(
        dir.path().join("tasks"),
        dir.path().join("p"),
    ));
    let waiting = tokio::spawn({
        let index = index.clone();
        async move { sessions(&index, None).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !waiting.is_finished(),
        "answered before the index was built"
    );
    index.reconcile();
    assert_eq!(waiting.await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_periodic_check_finds_unreported_changes_by_stat_alone() {
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join("tasks");
    let projects = dir.path().join("projects");
    write(&tasks.join("s1/1.json"), r#"{"id":"1"}"#);
    write(&tasks.join("s1/2.json"), r#"{"id":"2"}"#);
    write(&projects.join("-p/a.jsonl"), "{\"type\":\"user\"}\n");
    let index = built(&tasks, &projects);
    assert!(index.stale_paths().is_empty(), "nothing changed yet");

    write(
        &tasks.join("s1/1.json"),
        r#"{"id":"1","subject":"longer now"}"#,
    );
    std::fs::remove_file(tasks.join("s1/2.json")).unwrap();
    write(&tasks.join("s2/1.json"), r#"{"id":"1"}"#);
    let mut jsonl = std::fs::OpenOptions::new()
        .append(true)
        .open(projects.join("-p/a.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut jsonl, b"{\"type\":\"user\"}\n").unwrap();
    let mut stale = index.stale_paths();
    stale.sort();
    assert_eq!(
        stale,
        [
            projects.join("-p/a.jsonl"),
            tasks.join("s1/1.json"),
            tasks.join("s1/2.json"),
            tasks.join("s2"),
        ]
    );
    assert_eq!(
        index.refresh(&stale),
        [
            update(FileChange::Add, "s2", "1.json"),
            update(FileChange::Change, "s1", "1.json"),
            update(FileChange::Unlink, "s1", "2.json"),
            FlowEvent::MetadataUpdate,
        ]
    );
    assert!(index.stale_paths().is_empty(), "all caught up");
}
