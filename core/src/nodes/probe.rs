//! Asking a CLI tool for its version: argv only (never a shell), stdin closed, output capped,
//! killed on timeout.

use std::process::Stdio;
use std::sync::LazyLock;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::entry::{CliProbe, CliTool};

/// How long a version command may take before it is killed.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes kept from each of stdout and stderr; the rest is drained so the child never blocks.
const OUTPUT_CAP: u64 = 16 * 1024;

static VERSION_TOKEN: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(r"\d+\.\d+(?:\.\d+)?").ok());

/// Runs `tool`'s version command and compares what it prints with the minimum version.
///
/// Never fails: a missing binary, a timeout or unparsable output come back as `found`/`error`.
pub async fn probe(slug: &str, tool: &CliTool, timeout: Duration) -> CliProbe {
    let mut result = CliProbe {
        slug: slug.to_owned(),
        tool: tool.name.clone(),
        found: false,
        version: None,
        required: tool.version.clone(),
        meets_minimum: false,
        error: None,
    };
    let argv = match &tool.version_command {
        Some(argv) if !argv.is_empty() => argv.clone(),
        _ => vec![tool.name.clone(), "--version".to_owned()],
    };
    match run(&argv, timeout).await {
        Err(RunError::NotFound) => {
            result.error = Some(format!(
                "{} is not installed (not found on PATH)",
                tool.name
            ));
        }
        Err(RunError::Spawn(err)) => {
            result.error = Some(format!("{} could not be started: {err}", tool.name));
        }
        Err(RunError::TimedOut) => {
            result.found = true;
            result.error = Some(format!(
                "{} did not answer within {}",
                tool.name,
                human(timeout)
            ));
        }
        Ok(output) => {
            result.found = true;
            let version = parse_version(&output.stdout).or_else(|| parse_version(&output.stderr));
            match version {
                Some(version) => {
                    result.meets_minimum = meets(&version, &tool.version);
                    result.version = Some(version);
                }
                None if !output.success => {
                    result.error = Some(format!(
                        "{} --version failed ({})",
                        tool.name, output.status
                    ));
                }
                None => {
                    result.error = Some(format!("{} printed no version number", tool.name));
                }
            }
        }
    }
    tracing::debug!(?result, "probed a CLI tool");
    result
}

/// The first `major.minor[.patch]` token in `text`.
pub fn parse_version(text: &str) -> Option<String> {
    VERSION_TOKEN
        .as_ref()?
        .find(text)
        .map(|m| m.as_str().to_owned())
}

/// `found >= required` as semver, padding `2.1` to `2.1.0`; unparsable means no.
fn meets(found: &str, required: &str) -> bool {
    match (padded(found), padded(required)) {
        (Some(f), Some(r)) => f >= r,
        _ => false,
    }
}

fn padded(version: &str) -> Option<semver::Version> {
    let version = version.trim().trim_start_matches('v');
    let full = match version.matches('.').count() {
        0 => format!("{version}.0.0"),
        1 => format!("{version}.0"),
        _ => version.to_owned(),
    };
    semver::Version::parse(&full).ok()
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

struct Output {
    stdout: String,
    stderr: String,
    success: bool,
    status: std::process::ExitStatus,
}

enum RunError {
    NotFound,
    Spawn(std::io::Error),
    TimedOut,
}

async fn run(argv: &[String], timeout: Duration) -> Result<Output, RunError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(RunError::NotFound);
    };
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RunError::NotFound,
            _ => RunError::Spawn(e),
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let outcome = tokio::time::timeout(timeout, async {
        let (out, err, status) = tokio::join!(capped(stdout), capped(stderr), child.wait());
        (out, err, status)
    })
    .await;
    match outcome {
        Ok((stdout, stderr, Ok(status))) => Ok(Output {
            stdout,
            stderr,
            success: status.success(),
            status,
        }),
        Ok((_, _, Err(err))) => Err(RunError::Spawn(err)),
        Err(_elapsed) => {
            // Kill and reap now rather than leaving it to `kill_on_drop`'s background reaper.
            if let Err(err) = child.kill().await {
                tracing::warn!(%err, program, "could not kill a timed-out version probe");
            }
            Err(RunError::TimedOut)
        }
    }
}

/// Reads up to [`OUTPUT_CAP`] bytes, then drains the rest so a chatty child cannot block.
async fn capped<R: AsyncRead + Unpin>(stream: Option<R>) -> String {
    let Some(mut stream) = stream else {
        return String::new();
    };
    let mut buf = Vec::new();
    let mut head = (&mut stream).take(OUTPUT_CAP);
    if head.read_to_end(&mut buf).await.is_ok() {
        // Draining errors only mean the pipe closed; the head is what matters.
        let _drained = tokio::io::copy(&mut stream, &mut tokio::io::sink()).await;
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    use super::*;

    /// Writing an executable while another test forks can leave the fork holding the write fd
    /// for a moment (ETXTBSY on exec); these tests take turns.
    static SPAWNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn tool(name: &str, version: &str, argv: Option<Vec<String>>) -> CliTool {
        CliTool {
            name: name.into(),
            version: version.into(),
            version_command: argv,
        }
    }

    #[tokio::test]
    async fn fake_tool_reports_its_version() {
        let _turn = SPAWNS.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = script(dir.path(), "fake", "echo \"fake version 2.5.1\"");
        let argv = Some(vec![path.display().to_string()]);
        let p = probe(
            "cli-fake",
            &tool("fake", "2.0.0", argv.clone()),
            PROBE_TIMEOUT,
        )
        .await;
        assert!(p.found && p.meets_minimum, "{p:?}");
        assert_eq!(p.version.as_deref(), Some("2.5.1"));
        assert_eq!(p.error, None);
        assert_eq!(p.slug, "cli-fake");
        let p = probe("cli-fake", &tool("fake", "2.6", argv), PROBE_TIMEOUT).await;
        assert!(p.found && !p.meets_minimum, "{p:?}");
        assert_eq!(p.required, "2.6");
    }

    #[tokio::test]
    async fn default_argv_appends_version_flag_and_reads_stderr() {
        let _turn = SPAWNS.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = script(
            dir.path(),
            "tool",
            "[ \"$1\" = --version ] && echo \"tool 3.1\" >&2",
        );
        let name = path.display().to_string();
        let p = probe("x", &tool(&name, "3.1.0", None), PROBE_TIMEOUT).await;
        assert_eq!(p.version.as_deref(), Some("3.1"));
        assert!(p.meets_minimum, "{p:?}");
    }

    #[tokio::test]
    async fn slow_tool_is_killed_at_the_timeout() {
        let _turn = SPAWNS.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let path = script(
            dir.path(),
            "slow",
            &format!("echo $$ > {}\nexec sleep 30", pid_file.display()),
        );
        let started = Instant::now();
        let argv = Some(vec![path.display().to_string()]);
        let p = probe(
            "x",
            &tool("slow", "1.0.0", argv),
            Duration::from_millis(300),
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            p.error.as_deref(),
            Some("slow did not answer within 300 ms")
        );
        assert!(!p.meets_minimum);
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        // Killed and reaped by the probe itself: the process no longer exists.
        assert!(
            !Path::new(&format!("/proc/{}", pid.trim())).exists(),
            "pid {pid} still alive"
        );
    }

    #[tokio::test]
    async fn missing_binary_is_not_found() {
        let p = probe(
            "cli-gh",
            &tool(
                "gh",
                "2.0.0",
                Some(vec!["/nonexistent/flow-test/gh".into()]),
            ),
            PROBE_TIMEOUT,
        )
        .await;
        assert!(!p.found && !p.meets_minimum);
        assert_eq!(
            p.error.as_deref(),
            Some("gh is not installed (not found on PATH)")
        );
        let p = probe(
            "x",
            &tool("flow-test-no-such-binary-xyz", "1.0.0", None),
            PROBE_TIMEOUT,
        )
        .await;
        assert!(!p.found);
    }

    #[tokio::test]
    async fn unparsable_output_is_an_error() {
        let _turn = SPAWNS.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = script(dir.path(), "mute", "echo hello; exit 3");
        let argv = Some(vec![path.display().to_string()]);
        let p = probe("x", &tool("mute", "1.0.0", argv), PROBE_TIMEOUT).await;
        assert!(p.found && p.version.is_none());
        assert!(p.error.unwrap().contains("failed"));
    }

    #[test]
    fn versions_parse_and_pad() {
        assert_eq!(
            parse_version("gh version 2.40.1 (2023-12-13)").as_deref(),
            Some("2.40.1")
        );
        assert_eq!(parse_version("v7.18").as_deref(), Some("7.18"));
        assert_eq!(parse_version("none"), None);
        assert!(meets("2.1", "2.1.0"));
        assert!(meets("10.0.0", "9.9.9"));
        assert!(!meets("2.0.9", "2.1"));
        assert_eq!(human(Duration::from_secs(5)), "5 s");
    }
}
