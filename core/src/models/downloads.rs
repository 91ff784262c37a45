//! Resumable, verified model downloads.
//!
//! A download writes `<llms>/<fileName>.part` next to a sidecar `<fileName>.part.json` naming
//! its URL, digest and size. A `.part` found at start is resumed with `Range: bytes=<len>-`
//! (206: append; 200: start over; 416: already complete). The finished file is verified (size
//! always, SHA-256 when the catalog knows it) before it is renamed to `<fileName>`; a mismatch
//! deletes the partial file. A sidecar left by an earlier process lists as `paused`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::CatalogModel;
use crate::http_body::{self, BodyError, Streamed};
use crate::{AppError, EventBus, FlowEvent};

/// How often progress is published, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Where a download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum DownloadStatus {
    /// Bytes are arriving.
    Downloading,
    /// Stopped with its partial file kept; resumable.
    Paused,
    /// The file is complete and being checked.
    Verifying,
    /// Verified and installed under `llms/`.
    Ready,
    /// Failed; `error` says why.
    Failed,
    /// Stopped and its partial file deleted.
    Cancelled,
}

/// One download's state, as returned by the commands and carried by `model-download` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelDownload {
    /// The catalog id.
    pub id: String,
    /// The file's name under `llms/`.
    pub file_name: String,
    /// Where it stands.
    pub status: DownloadStatus,
    /// Bytes on disk so far.
    pub bytes: f64,
    /// Expected size in bytes (the server's announced size once known).
    pub total: f64,
    /// Current transfer rate in bytes per second (0 when not downloading).
    pub rate_bps: f64,
    /// Estimated seconds left, while downloading.
    pub eta_secs: Option<f64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// What the sidecar `<fileName>.part.json` records about a partial download.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sidecar {
    id: String,
    url: String,
    sha256: Option<String>,
    /// The size the server announced (0 until known).
    total: f64,
}

struct Control {
    cancel: CancellationToken,
    handle: tokio::task::JoinHandle<()>,
}

struct Entry {
    info: ModelDownload,
    control: Option<Control>,
}

type State = Arc<Mutex<HashMap<String, Entry>>>;

/// The downloads of one models directory.
pub struct Downloads {
    llms_dir: PathBuf,
    bus: Arc<EventBus>,
    state: State,
}

impl std::fmt::Debug for Downloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloads")
            .field("llms_dir", &self.llms_dir)
            .finish_non_exhaustive()
    }
}

fn lock(state: &State) -> MutexGuard<'_, HashMap<String, Entry>> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn part_path(llms_dir: &Path, file_name: &str) -> PathBuf {
    llms_dir.join(format!("{file_name}.part"))
}

fn sidecar_path(llms_dir: &Path, file_name: &str) -> PathBuf {
    llms_dir.join(format!("{file_name}.part.json"))
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn read_sidecar(path: &Path) -> Option<Sidecar> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Removes a file, ignoring one that is already gone.
fn remove_if_present(path: &Path) -> Result<(), AppError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AppError::io(format!("removing {}", path.display()), e)),
    }
}

impl Downloads {
    /// Downloads into `llms_dir`, publishing progress on `bus`.
    pub fn new(llms_dir: PathBuf, bus: Arc<EventBus>) -> Self {
        Self {
            llms_dir,
            bus,
            state: Arc::default(),
        }
    }

    /// Starts (or resumes from its `.part`) a download; a running one is returned as it is.
    /// An installed file, or a download being paused or cancelled right now, is a conflict.
    pub fn start(&self, model: &CatalogModel) -> Result<ModelDownload, AppError> {
        if self.llms_dir.join(&model.file_name).exists() {
            return Err(AppError::Conflict(format!(
                "`{}` is already installed as {}",
                model.id, model.file_name
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| AppError::Internal(format!("building the HTTP client: {e}")))?;
        let part = part_path(&self.llms_dir, &model.file_name);
        let info = {
            let mut state = lock(&self.state);
            if let Some(entry) = state.get(&model.id) {
                match &entry.control {
                    Some(c) if !c.handle.is_finished() => return Ok(entry.info.clone()),
                    // `pause`/`cancel` took the task and are waiting for it to let go of the file.
                    None if entry.info.status == DownloadStatus::Downloading => {
                        return Err(AppError::Conflict(format!(
                            "the download of `{}` is stopping; try again",
                            model.id
                        )));
                    }
                    _ => {}
                }
            }
            let info = ModelDownload {
                id: model.id.clone(),
                file_name: model.file_name.clone(),
                status: DownloadStatus::Downloading,
                bytes: file_len(&part) as f64,
                total: model.size_bytes,
                rate_bps: 0.0,
                eta_secs: None,
                error: None,
            };
            let cancel = CancellationToken::new();
            let job = Job {
                model: model.clone(),
                llms_dir: self.llms_dir.clone(),
                state: self.state.clone(),
                bus: self.bus.clone(),
                cancel: cancel.clone(),
                client,
            };
            let handle = tokio::spawn(job.run());
            state.insert(
                model.id.clone(),
                Entry {
                    info: info.clone(),
                    control: Some(Control { cancel, handle }),
                },
            );
            info
        };
        tracing::info!(id = %model.id, url = %model.url, "model download started");
        self.bus.publish(FlowEvent::ModelDownload(info.clone()));
        Ok(info)
    }

    /// Stops a download's task and waits for it to end; `None` when none was running.
    async fn stop(&self, id: &str) -> Option<()> {
        let control = lock(&self.state).get_mut(id)?.control.take()?;
        control.cancel.cancel();
        if let Err(err) = control.handle.await {
            tracing::warn!(%id, %err, "model download task ended abnormally");
        }
        Some(())
    }

    /// Pauses a download, keeping its partial file.
    pub async fn pause(&self, model: &CatalogModel) -> Result<ModelDownload, AppError> {
        self.stop(&model.id).await;
        let part_bytes = file_len(&part_path(&self.llms_dir, &model.file_name)) as f64;
        let info = {
            let mut state = lock(&self.state);
            match state.get_mut(&model.id) {
                Some(entry) => {
                    if entry.info.status == DownloadStatus::Downloading {
                        entry.info.status = DownloadStatus::Paused;
                        entry.info.bytes = part_bytes;
                        entry.info.rate_bps = 0.0;
                        entry.info.eta_secs = None;
                    }
                    Some(entry.info.clone())
                }
                None => None,
            }
        };
        match info {
            Some(info) => {
                self.bus.publish(FlowEvent::ModelDownload(info.clone()));
                Ok(info)
            }
            None => self.on_disk(model).ok_or_else(|| not_found(&model.id)),
        }
    }

    /// Stops a download and deletes its partial file and sidecar.
    pub async fn cancel(&self, model: &CatalogModel) -> Result<ModelDownload, AppError> {
        self.stop(&model.id).await;
        let known = lock(&self.state).remove(&model.id).map(|e| e.info);
        let Some(mut info) = known.or_else(|| self.on_disk(model)) else {
            return Err(not_found(&model.id));
        };
        remove_if_present(&part_path(&self.llms_dir, &model.file_name))?;
        remove_if_present(&sidecar_path(&self.llms_dir, &model.file_name))?;
        if info.status != DownloadStatus::Ready {
            info.status = DownloadStatus::Cancelled;
            info.bytes = 0.0;
            info.rate_bps = 0.0;
            info.eta_secs = None;
        }
        tracing::info!(id = %model.id, "model download cancelled");
        self.bus.publish(FlowEvent::ModelDownload(info.clone()));
        Ok(info)
    }

    /// A partial download left on disk (by this or an earlier process), as `paused`.
    fn on_disk(&self, model: &CatalogModel) -> Option<ModelDownload> {
        let sidecar = read_sidecar(&sidecar_path(&self.llms_dir, &model.file_name))?;
        Some(paused_from_disk(
            &self.llms_dir,
            model.file_name.clone(),
            &sidecar,
            model.size_bytes,
        ))
    }

    /// Running, paused and failed downloads (partial files on disk included), by id.
    pub fn list(&self, catalog: &[CatalogModel]) -> Vec<ModelDownload> {
        let mut out: HashMap<String, ModelDownload> = lock(&self.state)
            .values()
            .filter(|e| {
                !matches!(
                    e.info.status,
                    DownloadStatus::Ready | DownloadStatus::Cancelled
                )
            })
            .map(|e| (e.info.id.clone(), e.info.clone()))
            .collect();
        if let Ok(dir) = std::fs::read_dir(&self.llms_dir) {
            for entry in dir.flatten() {
                let name = entry.file_name();
                let Some(file_name) = name.to_str().and_then(|n| n.strip_suffix(".part.json"))
                else {
                    continue;
                };
                let Some(sidecar) = read_sidecar(&entry.path()) else {
                    continue;
                };
                if out.contains_key(&sidecar.id) {
                    continue;
                }
                let estimate = catalog
                    .iter()
                    .find(|m| m.id == sidecar.id)
                    .map_or(0.0, |m| m.size_bytes);
                let info =
                    paused_from_disk(&self.llms_dir, file_name.to_owned(), &sidecar, estimate);
                out.insert(info.id.clone(), info);
            }
        }
        let mut list: Vec<ModelDownload> = out.into_values().collect();
        list.sort_by(|a, b| a.id.cmp(&b.id));
        list
    }
}

impl Drop for Downloads {
    /// Stops every task (their partial files stay, to be resumed by the next process).
    fn drop(&mut self) {
        for entry in lock(&self.state).values() {
            if let Some(control) = &entry.control {
                control.cancel.cancel();
            }
        }
    }
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("no download of `{id}`"))
}

fn paused_from_disk(
    llms_dir: &Path,
    file_name: String,
    sidecar: &Sidecar,
    estimate: f64,
) -> ModelDownload {
    ModelDownload {
        id: sidecar.id.clone(),
        bytes: file_len(&part_path(llms_dir, &file_name)) as f64,
        file_name,
        status: DownloadStatus::Paused,
        total: if sidecar.total > 0.0 {
            sidecar.total
        } else {
            estimate
        },
        rate_bps: 0.0,
        eta_secs: None,
        error: None,
    }
}

/// How a transfer ended.
enum Transfer {
    /// Stopped by pause, cancel or shutdown; the caller decides what that means.
    Stopped,
    /// Every byte is on disk; `announced` is the size the server gave, if any.
    Complete { announced: Option<u64> },
}

/// One download's background task.
struct Job {
    model: CatalogModel,
    llms_dir: PathBuf,
    state: State,
    bus: Arc<EventBus>,
    cancel: CancellationToken,
    client: reqwest::Client,
}

impl Job {
    fn part(&self) -> PathBuf {
        part_path(&self.llms_dir, &self.model.file_name)
    }

    fn sidecar(&self) -> PathBuf {
        sidecar_path(&self.llms_dir, &self.model.file_name)
    }

    /// Changes this download's state and publishes it.
    fn update(&self, change: impl FnOnce(&mut ModelDownload)) {
        let info = {
            let mut state = lock(&self.state);
            let Some(entry) = state.get_mut(&self.model.id) else {
                return;
            };
            change(&mut entry.info);
            entry.info.clone()
        };
        self.bus.publish(FlowEvent::ModelDownload(info));
    }

    fn fail(&self, error: String) {
        tracing::warn!(id = %self.model.id, %error, "model download failed");
        self.update(|i| {
            i.status = DownloadStatus::Failed;
            i.rate_bps = 0.0;
            i.eta_secs = None;
            i.error = Some(error);
        });
    }

    async fn run(self) {
        match self.transfer().await {
            Ok(Transfer::Stopped) => {}
            Ok(Transfer::Complete { announced }) => self.verify(announced).await,
            Err(error) => self.fail(error),
        }
    }

    fn write_sidecar(&self, total: f64) -> Result<(), String> {
        let sidecar = Sidecar {
            id: self.model.id.clone(),
            url: self.model.url.clone(),
            sha256: self.model.sha256.clone(),
            total,
        };
        let json = serde_json::to_vec_pretty(&sidecar).map_err(|e| e.to_string())?;
        crate::atomic_file::write(&self.sidecar(), &json).map_err(|e| e.to_string())
    }

    async fn transfer(&self) -> Result<Transfer, String> {
        let part = self.part();
        let url = &self.model.url;
        // A partial file from another URL or digest is not ours to continue.
        if let Some(old) = read_sidecar(&self.sidecar())
            && (old.url != self.model.url || old.sha256 != self.model.sha256)
        {
            remove_if_present(&part).map_err(|e| e.to_string())?;
        }
        self.write_sidecar(0.0)?;
        let have = file_len(&part);
        let mut request = self.client.get(url);
        if have > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let response = tokio::select! {
            () = self.cancel.cancelled() => return Ok(Transfer::Stopped),
            r = request.send() => r.map_err(|e| format!("{url}: {e}"))?,
        };
        let status = response.status();
        let (bytes, announced, append) = match status.as_u16() {
            206 => {
                let range = response
                    .headers()
                    .get(reqwest::header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range);
                match range {
                    Some((start, total)) if start == have => (have, total, true),
                    _ => return Err(format!("{url}: the server resumed at the wrong offset")),
                }
            }
            200 => (0, response.content_length(), false),
            416 => return Ok(Transfer::Complete { announced: None }),
            _ => return Err(format!("{url} answered {status}")),
        };
        if let Some(total) = announced {
            self.write_sidecar(total as f64)?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&part)
            .await
            .map_err(|e| format!("opening {}: {e}", part.display()))?;
        let total = announced.map_or(self.model.size_bytes, |t| t as f64);
        self.update(|i| {
            i.bytes = bytes as f64;
            i.total = total;
            i.error = None;
        });
        let streamed = http_body::stream_to_file(
            response,
            &mut file,
            false,
            &self.cancel,
            PROGRESS_EVERY,
            |p| {
                let done = bytes + p.received;
                self.update(|i| {
                    i.bytes = done as f64;
                    i.rate_bps = p.rate_bps;
                    i.eta_secs = (p.rate_bps > 0.0 && total > 0.0)
                        .then(|| ((total - done as f64) / p.rate_bps).max(0.0));
                });
            },
        )
        .await
        .map_err(|e| match e {
            BodyError::Read(why) => format!("{url}: reading: {why}"),
            BodyError::Write(why) => format!("writing {}: {why}", part.display()),
        })?;
        if streamed == Streamed::Cancelled {
            return Ok(Transfer::Stopped);
        }
        Ok(Transfer::Complete { announced })
    }

    /// Checks size and digest, then installs the file or deletes the partial one.
    async fn verify(&self, announced: Option<u64>) {
        self.update(|i| {
            i.status = DownloadStatus::Verifying;
            i.rate_bps = 0.0;
            i.eta_secs = Some(0.0);
        });
        let part = self.part();
        let hashed = {
            let part = part.clone();
            tokio::task::spawn_blocking(move || hash_file(&part)).await
        };
        let (len, digest) = match hashed {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => return self.fail(format!("reading {}: {e}", part.display())),
            Err(e) => return self.fail(format!("the verification task failed: {e}")),
        };
        // A catalog entry with a digest has an exact size; others are checked against what the
        // server announced (this run's or an earlier run's, from the sidecar).
        let expected_len = if self.model.sha256.is_some() {
            Some(self.model.size_bytes as u64)
        } else {
            announced.or_else(|| {
                read_sidecar(&self.sidecar())
                    .filter(|s| s.total > 0.0)
                    .map(|s| s.total as u64)
            })
        };
        let problem = if let Some(expected) = expected_len.filter(|e| *e != len) {
            Some(format!(
                "size mismatch for {}: expected {expected} bytes, got {len}",
                self.model.file_name
            ))
        } else {
            self.model
                .sha256
                .as_deref()
                .map(str::to_ascii_lowercase)
                .filter(|expected| *expected != digest)
                .map(|expected| {
                    format!(
                        "checksum mismatch for {}: expected sha256 {expected}, got {digest}",
                        self.model.file_name
                    )
                })
        };
        if let Some(problem) = problem {
            let cleanup =
                remove_if_present(&part).and_then(|()| remove_if_present(&self.sidecar()));
            if let Err(err) = cleanup {
                tracing::warn!(%err, "could not remove a rejected download");
            }
            self.update(|i| i.bytes = 0.0);
            return self.fail(problem);
        }
        let target = self.llms_dir.join(&self.model.file_name);
        if let Err(e) = tokio::fs::rename(&part, &target).await {
            return self.fail(format!("installing {}: {e}", target.display()));
        }
        if let Err(err) = remove_if_present(&self.sidecar()) {
            tracing::warn!(%err, "could not remove a download sidecar");
        }
        tracing::info!(id = %self.model.id, bytes = len, "model installed");
        self.update(|i| {
            i.status = DownloadStatus::Ready;
            i.bytes = len as f64;
            i.total = len as f64;
            i.eta_secs = None;
            i.error = None;
        });
    }
}

/// `bytes START-END/TOTAL` → (START, TOTAL if given).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// The length and lowercase hex SHA-256 of a file.
fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let len = std::io::copy(&mut file, &mut hasher)?;
    Ok((len, http_body::hex_digest(hasher)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some((100, Some(200)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
