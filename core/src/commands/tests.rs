//! The table is the one place a command is documented.

use std::path::Path;

use super::COMMAND_NAMES;

/// The name of the function a line declares, if it declares one.
fn declared_function(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("pub ")?;
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let rest = rest.strip_prefix("fn ")?;
    rest.split(['(', '<']).next()
}

#[test]
fn command_functions_carry_no_second_doc_comment() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut found = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = source.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some(name) = declared_function(line) else {
                continue;
            };
            if !COMMAND_NAMES.contains(&name) {
                continue;
            }
            seen += 1;
            // Attributes may sit between a doc comment and the function.
            let doc = lines[..index]
                .iter()
                .rev()
                .take_while(|l| {
                    l.trim_start().starts_with("#[") || l.trim_start().starts_with("///")
                })
                .any(|l| l.trim_start().starts_with("///"));
            if doc {
                found.push(format!("{}:{}: {name}", path.display(), index + 1));
            }
        }
    }
    assert_eq!(
        seen,
        COMMAND_NAMES.len(),
        "every command is a `pub async fn` in src/commands/"
    );
    assert!(
        found.is_empty(),
        "document these commands on their table line in src/commands.rs only:\n{}",
        found.join("\n")
    );
}
