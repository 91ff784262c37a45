//! Fuzzes every command's argument decoding (first byte picks the command) (`flow_input_checks::invoke_args`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::invoke_args(data));
