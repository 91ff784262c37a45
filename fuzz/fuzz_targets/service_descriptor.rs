//! Fuzzes service descriptor files: accepted or refused with a message (`flow_input_checks::service_descriptor`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow_input_checks::service_descriptor(data));
