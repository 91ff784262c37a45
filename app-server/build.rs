//! Copies the built UI (`frontend/dist`) into `$OUT_DIR/ui` for embedding, or writes a page
//! explaining how to build it, so the server compiles either way.

use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let manifest = PathBuf::from(
        env::var_os("CARGO_MANIFEST_DIR")
            .ok_or_else(|| io::Error::other("CARGO_MANIFEST_DIR unset"))?,
    );
    let dist = manifest.join("../frontend/dist");
    let out =
        PathBuf::from(env::var_os("OUT_DIR").ok_or_else(|| io::Error::other("OUT_DIR unset"))?)
            .join("ui");
    println!("cargo:rerun-if-changed={}", dist.display());
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    if dist.join("index.html").is_file() {
        copy_dir(&dist, &out)?;
    } else {
        fs::create_dir_all(&out)?;
        fs::write(
            out.join("index.html"),
            "<!doctype html><title>Flow</title><p>The Flow UI was not built into this binary. \
             Run <code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code> and rebuild, \
             or start the server with <code>PUBLIC_DIR</code> pointing at a built UI.</p>\n",
        )?;
    }
    Ok(())
}
