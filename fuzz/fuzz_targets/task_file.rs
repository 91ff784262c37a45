//! Fuzzes Claude Code task files: no panic, typed views answer, a rewrite keeps every field (`flow_input_checks::task_file`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::task_file(data));
