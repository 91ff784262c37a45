//! Fuzzes the GGUF header reader: bounded, an error that says why (`flow_input_checks::gguf_header`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::gguf_header(data));
