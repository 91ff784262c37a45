//! The properties each reader of outside input must hold, one function per reader. Each takes
//! raw bytes and panics when a property breaks: the cargo-fuzz targets (`fuzz/`) call them under
//! libFuzzer, and `tests/random_inputs.rs` calls them on stable with the seed corpus and random
//! bytes for a fixed time, so the test command fuzzes too.

#![allow(
    clippy::expect_used,
    reason = "a broken property must panic: that is what the fuzzer and the test look for"
)]

use std::path::Path;

use flow_core::board::task::TaskFile;
use flow_core::settings::{Settings, SettingsPatch};
use serde_json::Value;

/// A reader's properties over one input.
pub type Check = fn(&[u8]);

/// Every reader, by its fuzz target's name.
pub const TARGETS: &[(&str, Check)] = &[
    ("dsl_parse", dsl_parse),
    ("invoke_args", invoke_args),
    ("task_file", task_file),
    ("transcript", transcript),
    ("gguf_header", gguf_header),
    ("settings_patch", settings_patch),
    ("service_descriptor", service_descriptor),
];

/// The Flow DSL: whatever parses serializes to a canonical form that is a fixed point.
pub fn dsl_parse(data: &[u8]) {
    use flow_core::flows::dsl::{parse, serialize};
    let source = String::from_utf8_lossy(data);
    if let Ok(graph) = parse(&source) {
        let once = serialize(&graph);
        let reparsed = match parse(&once) {
            Ok(reparsed) => reparsed,
            Err(err) => panic!("canonical form does not parse: {err}\n{once}"),
        };
        assert_eq!(reparsed, graph, "parse(serialize(g)) != g");
        assert_eq!(serialize(&reparsed), once, "serialize is not a fixed point");
    }
}

macro_rules! decode_arms {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// Every command's argument object, as the transports decode it.
        const DECODERS: &[(&str, fn(Value) -> bool)] = &[$(
            (stringify!($name), |value: Value| {
                #[allow(dead_code, reason = "only decoding is under test")]
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "camelCase", deny_unknown_fields)]
                struct Args { $($arg: $ty),* }
                #[allow(unused_imports, reason = "commands without arguments name no type")]
                use flow_core::commands::signature::*;
                serde_json::from_value::<Args>(value).is_ok()
            })
        ),*];
    };
}
flow_core::for_each_command!(decode_arms);

/// Invoke arguments: the first byte picks a command, the rest is its JSON argument object;
/// decoding answers yes or no and never panics.
pub fn invoke_args(data: &[u8]) {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let (_, decode) = DECODERS[usize::from(pick) % DECODERS.len()];
    if let Ok(value) = serde_json::from_slice::<Value>(json) {
        decode(value);
    }
}

/// Task files: any bytes; a document that parses answers every typed view, and rewriting it
/// keeps every field.
pub fn task_file(data: &[u8]) {
    let Some(task) = TaskFile::parse(Path::new("7.json"), data) else {
        return;
    };
    assert!(
        !task.id().is_empty() || task.doc.get("id").is_some(),
        "a task has an id"
    );
    let view = serde_json::to_value(task.view()).expect("a task view serializes");
    assert_eq!(
        view["status"],
        Value::from(task.status()),
        "the view shows the status"
    );
    assert_eq!(view["id"], Value::from(task.id()), "the view shows the id");
    std::hint::black_box(task.is_internal());
    let pretty = task.to_pretty().expect("a parsed task rewrites");
    let again = TaskFile::parse(Path::new("7.json"), &pretty).expect("a rewritten task parses");
    assert_eq!(again.doc, task.doc, "rewriting a task changed it");
}

/// Claude Code transcripts (JSONL): any bytes give a summary, never a panic.
pub fn transcript(data: &[u8]) {
    let meta = flow_core::board::transcript::read(data);
    std::hint::black_box(meta.display_name());
}

/// GGUF headers: any bytes give a header or an error, reading a bounded amount.
pub fn gguf_header(data: &[u8]) {
    if let Err(err) = flow_core::models::gguf::read_header(data) {
        assert!(!err.to_string().is_empty(), "a refusal says why");
    }
}

/// Settings patches: any JSON is refused or applied; applied settings survive a round trip.
pub fn settings_patch(data: &[u8]) {
    let Ok(patch) = serde_json::from_slice::<SettingsPatch>(data) else {
        return;
    };
    if let Ok(settings) = Settings::default().apply(patch) {
        let text = serde_json::to_string(&settings).expect("settings serialize");
        let back: Settings = serde_json::from_str(&text).expect("stored settings load again");
        assert_eq!(back, settings, "settings changed on a round trip");
    }
}

/// Service descriptor files (`serviceIntegration`): any JSON is accepted or refused with a
/// message.
pub fn service_descriptor(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<Value>(data)
        && let Err(message) = flow_core::services::descriptor::ServiceIntegration::parse(&value)
    {
        assert!(!message.is_empty(), "a refusal says why");
    }
}
