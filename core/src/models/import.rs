//! Importing a GGUF file the user already has: streamed into a hidden temporary file under
//! `llms/`, its header checked, then renamed into place. A file that is not a readable GGUF,
//! or a name already taken, is refused and nothing is left behind.

use std::path::Path;

use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use super::catalog::is_bare_gguf_name;
use super::installed::{self, InstalledModel};
use super::{CatalogModel, gguf};
use crate::AppError;

/// Checks an import's target name: a bare `*.gguf` name not yet installed.
pub fn check_name(llms_dir: &Path, file_name: &str) -> Result<(), AppError> {
    if !is_bare_gguf_name(file_name) {
        return Err(AppError::InvalidInput(format!(
            "`{file_name}` is not a model file name: it must end in .gguf and contain no path separators"
        )));
    }
    if llms_dir.join(file_name).exists() {
        return Err(AppError::Conflict(format!(
            "a model named `{file_name}` is already installed; delete it first or rename the file"
        )));
    }
    Ok(())
}

/// Writes `body` to `llms/<file_name>` once it has been read whole and its GGUF header parses.
pub async fn import_stream<E: std::fmt::Display>(
    llms_dir: &Path,
    catalog: &[CatalogModel],
    file_name: &str,
    body: impl Stream<Item = Result<bytes::Bytes, E>>,
) -> Result<InstalledModel, AppError> {
    check_name(llms_dir, file_name)?;
    let tmp = tempfile::Builder::new()
        .prefix(".import-")
        .suffix(".tmp")
        .tempfile_in(llms_dir)
        .map_err(|e| AppError::io("creating the import file", e))?;
    let mut file = tokio::fs::File::from_std(
        tmp.reopen()
            .map_err(|e| AppError::io("opening the import file", e))?,
    );
    let mut body = std::pin::pin!(body);
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| AppError::InvalidInput(format!("the upload broke off: {e}")))?;
        file.write_all(&chunk)
            .await
            .map_err(|e| AppError::io("writing the import file", e))?;
        written += chunk.len() as u64;
    }
    file.sync_all()
        .await
        .map_err(|e| AppError::io("flushing the import file", e))?;
    drop(file);
    if written == 0 {
        return Err(AppError::InvalidInput("the uploaded file is empty".into()));
    }
    let header_check = std::fs::File::open(tmp.path())
        .map_err(gguf::GgufError::from)
        .and_then(|f| gguf::read_header(std::io::BufReader::new(f)));
    if let Err(err) = header_check {
        return Err(AppError::InvalidInput(format!(
            "`{file_name}` is not a GGUF model: {err}"
        )));
    }
    // Checked again: another import of the same name may have finished meanwhile.
    check_name(llms_dir, file_name)?;
    tmp.persist_noclobber(llms_dir.join(file_name))
        .map_err(|e| AppError::io(format!("installing {file_name}"), e.error))?;
    tracing::info!(file = %file_name, bytes = written, "model imported");
    installed::describe_file(llms_dir, file_name, catalog)
}

/// Deletes an installed model file (a bare `*.gguf` name under `llms/`).
pub fn delete(llms_dir: &Path, file_name: &str) -> Result<(), AppError> {
    if !is_bare_gguf_name(file_name) {
        return Err(AppError::InvalidInput(format!(
            "`{file_name}` is not a model file name"
        )));
    }
    let path = llms_dir.join(file_name);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::NotFound(format!(
            "no installed model `{file_name}`"
        ))),
        Err(e) => Err(AppError::io(format!("deleting {}", path.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: Vec<&'static [u8]>) -> impl Stream<Item = Result<bytes::Bytes, String>> {
        futures_util::stream::iter(parts.into_iter().map(|p| Ok(bytes::Bytes::from_static(p))))
    }

    #[tokio::test]
    async fn a_gguf_is_installed_and_anything_else_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let sample: &'static [u8] = Box::leak(gguf::tests::sample().into_boxed_slice());
        let (a, b) = sample.split_at(sample.len() / 2);
        let model = import_stream(dir.path(), &[], "mine.gguf", body(vec![a, b]))
            .await
            .unwrap();
        assert_eq!(model.file_name, "mine.gguf");
        assert_eq!(model.architecture.as_deref(), Some("gemma3"));

        let err = import_stream(dir.path(), &[], "mine.gguf", body(vec![sample]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "Conflict");
        let err = import_stream(dir.path(), &[], "junk.gguf", body(vec![b"not a model"]))
            .await
            .unwrap_err();
        assert!(err.message().contains("is not a GGUF model"), "{err}");
        let err = import_stream(dir.path(), &[], "../x.gguf", body(vec![sample]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "InvalidInput");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["mine.gguf".to_owned()]);

        delete(dir.path(), "mine.gguf").unwrap();
        assert_eq!(
            delete(dir.path(), "mine.gguf").unwrap_err().kind(),
            "NotFound"
        );
    }
}
