//! The fuzz targets' properties on stable, for a fixed time per target: first every seed of
//! `fuzz/corpus/<target>/`, then mutations of the seeds (bytes flipped, inserted, cut) and random
//! JSON, from a fixed-seed generator so a failure repeats. `FLOW_FUZZ_SECS` sets the seconds per
//! target (default 2); the long form under libFuzzer is in `fuzz/README.md`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a failed step must fail the test; the counts are the report"
)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

fn json_text() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "\\PC{0,16}".prop_map(serde_json::Value::String),
    ];
    let value = leaf.prop_recursive(4, 40, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("status".to_owned()),
                    Just("blockedBy".to_owned()),
                    Just("type".to_owned()),
                    Just("message".to_owned()),
                    Just("auth".to_owned()),
                    Just("baseUrl".to_owned()),
                    Just("theme".to_owned()),
                    Just("graph".to_owned()),
                    "[a-zA-Z]{1,12}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    (any::<u8>(), value).prop_map(|(pick, value)| {
        let mut bytes = vec![pick];
        bytes.extend(serde_json::to_vec(&value).unwrap());
        bytes
    })
}

/// A seed with a few bytes flipped, inserted or cut.
fn mutate(seed: &[u8], edits: &[(u16, u8, u8)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, byte, op) in edits {
        let at = if bytes.is_empty() {
            0
        } else {
            usize::from(at) % bytes.len()
        };
        match op % 3 {
            0 if !bytes.is_empty() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn every_reader_holds_its_properties_on_seeds_mutations_and_random_input() {
    let secs: u64 = std::env::var("FLOW_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let mut failures = Vec::new();
    for (target, check) in flow_input_checks::TARGETS {
        let seeds = corpus(target);
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let random = prop_oneof![
            2 => json_text(),
            1 => prop::collection::vec(any::<u8>(), 0..512),
        ];
        let edits = prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..6);
        let mut inputs = 0u64;
        let mut run = |input: &[u8], inputs: &mut u64| {
            *inputs += 1;
            if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
                failures.push(format!("{target}: {:?}", String::from_utf8_lossy(input)));
            }
        };
        for seed in &seeds {
            run(seed, &mut inputs);
        }
        let until = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < until {
            let input = if !seeds.is_empty() && inputs.is_multiple_of(2) {
                let seed = &seeds[(inputs as usize / 2) % seeds.len()];
                mutate(seed, &edits.new_tree(&mut runner).unwrap().current())
            } else {
                random.new_tree(&mut runner).unwrap().current()
            };
            run(&input, &mut inputs);
        }
        eprintln!(
            "{target}: {inputs} inputs ({} seeds), {secs} s",
            seeds.len()
        );
    }
    assert!(
        failures.is_empty(),
        "{} inputs broke a property:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
