//! Fuzzes the Flow DSL parser: no input may panic it, and whatever parses must serialize to a
//! canonical form that is a fixed point.
#![no_main]

use flow_core::flows::dsl::{parse, serialize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
