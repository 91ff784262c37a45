//! The seam between the core and its transports: a transport mounts the command table and the
//! few primitives the transports share, and calls nothing else of the core. This reads every
//! `transports/*/src/**/*.rs` and fails, naming file:line and the path used, when one reaches
//! past that:
//!
//! - a path into a workspace crate (`flow_core::…`, `use flow_core::…`) that names a function,
//!   a module or a constant the allowlist below does not hold (types are the table's
//!   vocabulary: argument, result and event types are free to use, enum variants included);
//! - an associated function called on a core type (`RunFollow::attach(…)`) outside the
//!   allowlist;
//! - a call of one of `App`'s accessors into its stores and runtimes (`.history()`,
//!   `.models()`, `.publish(…)`, …): only the bus and the configuration are shared.
//!
//! Comments and string literals are not read.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a transport may reach, as paths inside `flow_core` (`*` ends a prefix), each with why.
const ALLOWED: &[(&str, &str)] = &[
    (
        "commands",
        "the command table's functions, plus the shared primitives kept beside them: \
         run_follow / run_start_follow (a run's events, replayed then live), import_model_stream \
         (an upload's bytes), llm_chat_stream (generated text to a sink), model_modified_secs, \
         COMMAND_NAMES",
    ),
    ("commands::*", "as above"),
    (
        "for_each_command",
        "the table itself, expanded by every transport",
    ),
    (
        "credentials::oauth::CALLBACK_PATH",
        "the path the core's OAuth redirect URLs name, which the HTTP transport must serve",
    ),
];

/// Associated functions of the standard (and serde) traits, which build a value of a wire type
/// rather than reach into the core: `RunOptions::default()`, `ThemeName::from_str(…)`.
const TRAIT_CONSTRUCTORS: &[&str] = &[
    "default",
    "from",
    "try_from",
    "from_str",
    "clone",
    "deserialize",
];

/// `App` accessors a transport may call: the event bus (subscriptions, the ring's head) and
/// the instance's configuration.
const ALLOWED_APP_METHODS: &[&str] = &["bus", "config"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `source` with comments and string and char literals blanked out (newlines kept, so line
/// numbers stay right).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"…", r#"…"#, …
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &skipped in &chars[i..j.min(chars.len())] {
                out.push(blank(skipped));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a, '_).
            let end = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| i + 2 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for _ in i..=end {
                        out.push(' ');
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A type (CamelCase: upper first, some lower) rather than a function, module or constant.
fn is_type(segment: &str) -> bool {
    segment.starts_with(|c: char| c.is_ascii_uppercase())
        && segment.chars().any(|c| c.is_ascii_lowercase())
}

fn allowed(path: &str) -> bool {
    ALLOWED
        .iter()
        .any(|(pattern, _)| match pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == *pattern,
        })
}

/// The leaf paths of a `use` tree (`a::{b, c::{self, D as E}}`), each with the name it binds.
fn use_leaves(tree: &str) -> Vec<(String, String)> {
    fn walk(prefix: &str, tree: &str, out: &mut Vec<(String, String)>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head = tree[..open].trim().trim_end_matches("::");
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let prefix = join(prefix, head);
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        walk(&prefix, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            walk(&prefix, &inner[start..], out);
            return;
        }
        let (path, alias) = match tree.split_once(" as ") {
            Some((path, alias)) => (path.trim(), Some(alias.trim())),
            None => (tree, None),
        };
        let full = if path == "self" {
            prefix.to_owned()
        } else {
            join(prefix, path)
        };
        let bound = alias
            .map(str::to_owned)
            .unwrap_or_else(|| full.rsplit("::").next().unwrap_or_default().to_owned());
        out.push((full, bound));
    }
    fn join(prefix: &str, rest: &str) -> String {
        match (prefix.is_empty(), rest.is_empty()) {
            (true, _) => rest.to_owned(),
            (_, true) => prefix.to_owned(),
            _ => format!("{prefix}::{rest}"),
        }
    }
    let mut out = Vec::new();
    walk(
        "",
        &tree.split_whitespace().collect::<Vec<_>>().join(" "),
        &mut out,
    );
    out
}

/// Names of `App`'s `&self` methods, read from the core's source.
fn app_methods() -> BTreeSet<String> {
    let source = std::fs::read_to_string(root().join("core/src/app.rs")).unwrap();
    let code = code_only(&source);
    let start = code
        .find("impl App {")
        .expect("impl App in core/src/app.rs");
    let mut depth = 0;
    let mut end = code.len();
    for (i, c) in code[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = start + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let body = &code[start..end];
    body.match_indices("pub fn ")
        .filter_map(|(i, _)| {
            let rest = &body[i + 7..];
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            let after = rest[name.len()..].trim_start().strip_prefix('(')?;
            after.trim_start().starts_with("&self").then_some(name)
        })
        .collect()
}

/// One way a transport reaches past the seam.
struct Breach {
    file: String,
    line: usize,
    what: String,
}

fn line_of(code: &str, offset: usize) -> usize {
    code[..offset].matches('\n').count() + 1
}

/// The workspace crate a path at `offset` starts with (`flow_core`, `flow_llm`, …), if any.
fn crate_at(code: &str, offset: usize) -> Option<&str> {
    if code[..offset].chars().next_back().is_some_and(is_ident) {
        return None;
    }
    let name: &str = &code[offset..offset + code[offset..].find(|c: char| !is_ident(c))?];
    (name.starts_with("flow_") && code[offset + name.len()..].starts_with("::")).then_some(name)
}

fn check_file(path: &Path, app_methods: &BTreeSet<String>, breaches: &mut Vec<Breach>) {
    let source = std::fs::read_to_string(path).unwrap();
    let code = code_only(&source);
    let file = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
        .replace("/./", "/");
    let mut report = |offset: usize, what: String| {
        breaches.push(Breach {
            file: file.clone(),
            line: line_of(&code, offset),
            what,
        });
    };
    let check_path = |krate: &str, rest: &str| -> bool {
        let last = rest.rsplit("::").next().unwrap_or_default();
        if krate == "flow_core" {
            allowed(rest) || is_type(last)
        } else {
            is_type(last)
        }
    };

    // `use` declarations: every leaf, and the core types they bind (for `Type::function`).
    let mut imported_types: Vec<(String, String)> = Vec::new();
    let mut use_spans: Vec<(usize, usize)> = Vec::new();
    for (at, _) in code.match_indices("use ") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let Some(len) = code[at..].find(';') else {
            continue;
        };
        let tree = &code[at + 4..at + len];
        use_spans.push((at, at + len));
        for (full, bound) in use_leaves(tree) {
            let Some((krate, rest)) = full.split_once("::") else {
                continue;
            };
            if !krate.starts_with("flow_") {
                continue;
            }
            if !check_path(krate, rest) {
                report(at, format!("`use {full}`"));
            }
            if is_type(&bound) || is_type(rest.rsplit("::").next().unwrap_or_default()) {
                imported_types.push((bound, full));
            }
        }
    }

    // Paths written out in the code.
    for (at, _) in code.match_indices("flow_") {
        if use_spans.iter().any(|&(s, e)| at >= s && at < e) {
            continue;
        }
        let Some(krate) = crate_at(&code, at) else {
            continue;
        };
        let start = at + krate.len() + 2;
        let rest: String = code[start..]
            .chars()
            .take_while(|&c| is_ident(c) || c == ':')
            .collect();
        let rest = rest.trim_end_matches(':');
        if !check_path(krate, rest) {
            report(at, format!("`{krate}::{rest}`"));
        }
    }

    // Associated functions of imported core types: `RunFollow::attach(…)`.
    for (bound, full) in &imported_types {
        let needle = format!("{bound}::");
        for (at, _) in code.match_indices(&needle) {
            if code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| is_ident(c) || c == ':')
            {
                continue;
            }
            let member: String = code[at + needle.len()..]
                .chars()
                .take_while(|&c| is_ident(c))
                .collect();
            if member.is_empty()
                || is_type(&member)
                || TRAIT_CONSTRUCTORS.contains(&member.as_str())
            {
                continue;
            }
            let path = format!("{full}::{member}");
            let Some((krate, rest)) = path.split_once("::") else {
                continue;
            };
            if !(krate == "flow_core" && allowed(rest)) {
                report(at, format!("`{bound}::{member}` (`{path}`)"));
            }
        }
    }

    // `App`'s accessors into its stores and runtimes.
    for method in app_methods {
        if ALLOWED_APP_METHODS.contains(&method.as_str()) {
            continue;
        }
        let needle = format!(".{method}(");
        for (at, _) in code.match_indices(&needle) {
            report(
                at,
                format!("`App::{method}` (`{}`)", &needle[..needle.len() - 1]),
            );
        }
    }
}

fn transport_sources() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root().join("transports"))
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|path| {
            path.extension().is_some_and(|e| e == "rs")
                && path
                    .strip_prefix(root().join("transports"))
                    .ok()
                    .and_then(|p| p.components().nth(1))
                    .is_some_and(|c| c.as_os_str() == "src")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn transports_call_only_the_command_table_and_the_shared_primitives() {
    let methods = app_methods();
    assert!(
        methods.contains("history") && methods.contains("bus"),
        "could not read App's accessors from core/src/app.rs: {methods:?}"
    );
    let files = transport_sources();
    assert!(
        files.iter().any(|f| f.ends_with("http/src/rest/runs.rs"))
            && files.iter().any(|f| f.ends_with("ipc/src/lib.rs")),
        "the transports' sources were not found: {files:?}"
    );
    let mut breaches = Vec::new();
    for file in &files {
        check_file(file, &methods, &mut breaches);
    }
    let lines: Vec<String> = breaches
        .iter()
        .map(|b| format!("  {}:{}: {}", b.file, b.line, b.what))
        .collect();
    assert!(
        breaches.is_empty(),
        "transports reach past the command table and the shared primitives:\n{}\n\
         Call a command (core/src/commands.rs) instead, or, for a primitive every transport \
         shares, put it beside the commands and add it to ALLOWED in {} with the reason.",
        lines.join("\n"),
        file!(),
    );
}

/// The check itself: it sees through `use` trees, aliases and associated calls, and not into
/// comments or strings.
#[test]
fn the_check_finds_what_it_should_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.rs");
    std::fs::write(
        &path,
        r##"
use flow_core::commands;
use flow_core::history::{self, RunFollow, RunSummary as Summary};
use flow_core::models::{InstalledModel, import};
// flow_core::llm::chat in a comment
/* flow_core::engine::start_run in a block comment */
fn f(app: &flow_core::App) {
    let _ = "flow_core::board::agent_status::from_message";
    let _ = r#"app.history()"#;
    let _ = 'x';
    commands::run_follow(app, id, None);
    flow_core::engine::start_run(app, source, None, flow_core::engine::RunTrigger::Api);
    RunFollow::attach(app, id, None); let _ = Summary::default();
    let _ = flow_core::credentials::oauth::CALLBACK_PATH;
    app.models().llms_dir();
    app.bus().subscribe(None);
    flow_llm::load(app);
    let _: Option<flow_llm::ChatRequest> = None;
    flow_core::for_each_command!(x);
}
"##,
    )
    .unwrap();
    let mut breaches = Vec::new();
    check_file(&path, &app_methods(), &mut breaches);
    let found: Vec<(usize, String)> = breaches.into_iter().map(|b| (b.line, b.what)).collect();
    assert_eq!(
        found,
        vec![
            (3, "`use flow_core::history`".to_owned()),
            (4, "`use flow_core::models::import`".to_owned()),
            (12, "`flow_core::engine::start_run`".to_owned()),
            (17, "`flow_llm::load`".to_owned()),
            (
                13,
                "`RunFollow::attach` (`flow_core::history::RunFollow::attach`)".to_owned()
            ),
            (15, "`App::models` (`.models`)".to_owned()),
        ]
    );
}
