//! Fuzzes settings patches: refused or applied, applied settings round-trip (`flow_input_checks::settings_patch`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::settings_patch(data));
