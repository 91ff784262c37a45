//! Generates the Tauri context (config, capabilities, icons) and embeds `../frontend/dist`.

fn main() {
    // `generate_context!` embeds the UI when this crate compiles; re-running the build script
    // when the built UI changes makes cargo recompile the crate so the new UI is picked up.
    println!("cargo:rerun-if-changed=../frontend/dist");
    tauri_build::build()
}
