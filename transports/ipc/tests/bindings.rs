//! `bindings/index.ts` must equal what the command table generates. Run with
//! `UPDATE_BINDINGS=1` (or `./dev bindings`) to rewrite it.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::path::PathBuf;

#[test]
fn bindings_are_up_to_date() {
    let generated =
        flow_ipc::bindings::render::<tauri::test::MockRuntime>().expect("bindings render");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bindings/index.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "bindings/index.ts is stale: run `./dev bindings` and commit the result"
    );
}

#[test]
fn every_table_command_has_a_typed_client_function() {
    let generated =
        flow_ipc::bindings::render::<tauri::test::MockRuntime>().expect("bindings render");
    for name in flow_core::commands::COMMAND_NAMES {
        assert!(
            generated.contains(&format!("transport.invoke(\"{name}\"")),
            "{name} has no client function"
        );
        assert!(
            generated.contains(&format!("\t\"{name}\",\n")),
            "{name} missing from COMMANDS"
        );
    }
    assert!(generated.contains("export type FlowEvent"));
    assert!(generated.contains("export type AppError"));
    assert!(
        !generated.contains("export type Result<"),
        "std Result leaked into the bindings"
    );
}

#[test]
fn the_generated_client_builds_on_the_hand_written_runtime() {
    let generated =
        flow_ipc::bindings::render::<tauri::test::MockRuntime>().expect("bindings render");
    assert!(generated.contains("import type { Transport } from \"./runtime.ts\";"));
    assert!(generated.contains("export * from \"./runtime.ts\";"));
    let runtime = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bindings/runtime.ts");
    let runtime = std::fs::read_to_string(&runtime).expect("read bindings/runtime.ts");
    for export in [
        "export interface Transport",
        "export function isAppError",
        "export function createHttpTransport",
    ] {
        assert!(
            runtime.contains(export),
            "bindings/runtime.ts lacks `{export}`"
        );
    }
}
