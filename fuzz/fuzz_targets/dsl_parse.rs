//! Fuzzes the Flow DSL parser: no panic, and the canonical form is a fixed point (`flow_input_checks::dsl_parse`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::dsl_parse(data));
