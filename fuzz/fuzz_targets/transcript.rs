//! Fuzzes Claude Code JSONL transcripts: any bytes give a summary (`flow_input_checks::transcript`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::transcript(data));
