//! User rules: an organisation's own patterns (a dataset naming scheme, project codes), checked
//! once and compiled with a size limit so that a hostile pattern cannot exhaust memory.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How many rules one list may hold.
pub const MAX_RULES: usize = 64;
/// Longest rule name, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Longest pattern, in characters.
pub const MAX_PATTERN_CHARS: usize = 500;
/// Longest placeholder label, in characters.
pub const MAX_PLACEHOLDER_CHARS: usize = 40;

/// Compiled program size a rule may reach. The regex crate runs in linear time, so size is the
/// one thing a pattern such as `(\w{100}){100}` could blow up; 1 MiB is far above any
/// reasonable rule and far below trouble.
const COMPILED_SIZE_LIMIT: usize = 1 << 20;
/// Cache the lazy DFA of one rule may use while matching.
const DFA_SIZE_LIMIT: usize = 2 << 20;
/// Deepest nesting of groups and repetitions a pattern may have.
const NEST_LIMIT: u32 = 64;

/// The capture group whose text is replaced when a pattern has it (`key=(?P<value>…)`), so a
/// rule can keep the context it matches on, as the built-in `password=` detector does.
pub const VALUE_GROUP: &str = "value";

/// An organisation's own pattern: every match becomes `[<PLACEHOLDER>_n]`.
#[derive(Serialize, Deserialize, specta::Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyRule {
    /// Identifies the rule in lists and errors: a lowercase letter, then lowercase letters,
    /// digits, `_` or `-` (at most 40).
    pub name: String,
    /// A regular expression (Rust `regex` syntax, at most 500 characters); with a
    /// `(?P<value>…)` group only that group's text is replaced.
    pub pattern: String,
    /// The kind label placeholders carry, e.g. `DATASET_NAME` for `[DATASET_NAME_1]`: an
    /// uppercase letter, then uppercase letters, digits or `_` (at most 40).
    pub placeholder: String,
}

/// Which rule an error is about: by name when it has a usable one, else by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleRef {
    /// The rule's (valid) name.
    Named(String),
    /// 1-based position in the list, for a rule whose name is itself the problem.
    Position(usize),
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Named(name) => write!(f, "rule `{name}`"),
            Self::Position(position) => write!(f, "rule {position}"),
        }
    }
}

/// Why a list of rules was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// More than [`MAX_RULES`] rules.
    #[error("may hold at most {MAX_RULES} rules, got {0}")]
    TooMany(usize),
    /// One rule is wrong.
    #[error("{rule}: {why}")]
    Rule {
        /// The rule.
        rule: RuleRef,
        /// What is wrong with it, e.g. "placeholder must be …".
        why: String,
    },
}

/// A checked rule, ready to match.
#[derive(Debug, Clone)]
pub(super) struct CompiledRule {
    /// The placeholder label.
    pub(super) kind: String,
    pub(super) regex: regex::Regex,
    /// Index of the `value` group, when the pattern has one.
    pub(super) value_group: Option<usize>,
}

/// Checks every rule and compiles it; the first problem found is the error.
pub(super) fn compile(rules: &[PrivacyRule]) -> Result<Vec<CompiledRule>, RuleError> {
    if rules.len() > MAX_RULES {
        return Err(RuleError::TooMany(rules.len()));
    }
    let mut names = HashSet::new();
    let mut compiled = Vec::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        let position = index + 1;
        if let Some(why) = name_problem(&rule.name) {
            return Err(RuleError::Rule {
                rule: RuleRef::Position(position),
                why,
            });
        }
        let named = RuleRef::Named(rule.name.clone());
        if !names.insert(rule.name.as_str()) {
            return Err(RuleError::Rule {
                rule: named,
                why: "is listed twice (names must be unique)".to_owned(),
            });
        }
        if let Some(why) = placeholder_problem(&rule.placeholder) {
            return Err(RuleError::Rule { rule: named, why });
        }
        let regex =
            compile_pattern(&rule.pattern).map_err(|why| RuleError::Rule { rule: named, why })?;
        let value_group = regex
            .capture_names()
            .position(|name| name == Some(VALUE_GROUP));
        compiled.push(CompiledRule {
            kind: rule.placeholder.clone(),
            regex,
            value_group,
        });
    }
    Ok(compiled)
}

/// Whether `name` is usable as a rule name; `None` when it is.
fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let shaped = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !shaped {
        return Some(
            "name must be a lowercase letter, then lowercase letters, digits, `_` or `-`"
                .to_owned(),
        );
    }
    (name.chars().count() > MAX_NAME_CHARS)
        .then(|| format!("name must be at most {MAX_NAME_CHARS} characters"))
}

/// Whether `label` is usable as a placeholder label; `None` when it is.
fn placeholder_problem(label: &str) -> Option<String> {
    if label.chars().count() > MAX_PLACEHOLDER_CHARS {
        return Some(format!(
            "placeholder must be at most {MAX_PLACEHOLDER_CHARS} characters"
        ));
    }
    let mut chars = label.chars();
    let shaped = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    (!shaped).then(|| {
        "placeholder must be an uppercase letter, then uppercase letters, digits or `_` (e.g. DATASET_NAME)".to_owned()
    })
}

/// Compiles a user pattern within the size limits, or says why it cannot be used.
fn compile_pattern(pattern: &str) -> Result<regex::Regex, String> {
    if pattern.is_empty() {
        return Err("pattern is empty".to_owned());
    }
    let chars = pattern.chars().count();
    if chars > MAX_PATTERN_CHARS {
        return Err(format!(
            "pattern must be at most {MAX_PATTERN_CHARS} characters, got {chars}"
        ));
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(COMPILED_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|err| match err {
            regex::Error::CompiledTooBig(_) => {
                "pattern is too complex (its compiled form is over the size limit)".to_owned()
            }
            regex::Error::Syntax(text) => {
                format!(
                    "pattern is not a valid regular expression: {}",
                    syntax_cause(&text)
                )
            }
            other => format!("pattern cannot be used: {other}"),
        })
}

/// The cause line of the regex crate's multi-line syntax error ("error: unclosed group"), with
/// the pattern excerpt and caret dropped: the form shows the pattern right beside it.
fn syntax_cause(text: &str) -> String {
    text.lines()
        .find_map(|line| line.trim().strip_prefix("error:"))
        .map_or_else(
            || text.split_whitespace().collect::<Vec<_>>().join(" "),
            |cause| cause.trim().to_owned(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, pattern: &str, placeholder: &str) -> PrivacyRule {
        PrivacyRule {
            name: name.to_owned(),
            pattern: pattern.to_owned(),
            placeholder: placeholder.to_owned(),
        }
    }

    fn error_of(rules: &[PrivacyRule]) -> String {
        compile(rules).unwrap_err().to_string()
    }

    #[test]
    fn good_rules_compile_and_find_their_value_group() {
        let compiled = compile(&[
            rule("datasets", r"\bds_[a-z0-9_]+\b", "DATASET_NAME"),
            rule(
                "project-code",
                r"project=(?P<value>[A-Z]{3}-\d+)",
                "PROJECT_2",
            ),
        ])
        .unwrap();
        assert_eq!(compiled.len(), 2);
        assert_eq!(compiled[0].kind, "DATASET_NAME");
        assert_eq!(compiled[0].value_group, None);
        assert_eq!(compiled[1].value_group, Some(1));
        assert!(compile(&[]).unwrap().is_empty());
    }

    #[test]
    fn bad_names_are_named_by_position() {
        for name in ["", "Datasets", "1st", "_x", "has space", "dots.no", "ünï"] {
            assert_eq!(
                error_of(&[rule("ok", "x", "X"), rule(name, "x", "X")]),
                "rule 2: name must be a lowercase letter, then lowercase letters, digits, `_` or `-`",
                "{name:?}"
            );
        }
        assert_eq!(
            error_of(&[rule(&"a".repeat(41), "x", "X")]),
            "rule 1: name must be at most 40 characters"
        );
        assert!(compile(&[rule(&"a".repeat(40), "x", "X")]).is_ok());
    }

    #[test]
    fn duplicate_names_are_refused() {
        assert_eq!(
            error_of(&[rule("dup", "a", "A"), rule("dup", "b", "B")]),
            "rule `dup`: is listed twice (names must be unique)"
        );
    }

    #[test]
    fn bad_placeholders_name_the_rule() {
        for label in [
            "", "dataset", "1X", "_X", "DATA-SET", "DATA SET", "[X]", "X_ä",
        ] {
            assert_eq!(
                error_of(&[rule("r", "x", label)]),
                "rule `r`: placeholder must be an uppercase letter, then uppercase letters, digits or `_` (e.g. DATASET_NAME)",
                "{label:?}"
            );
        }
        assert_eq!(
            error_of(&[rule("r", "x", &"X".repeat(41))]),
            "rule `r`: placeholder must be at most 40 characters"
        );
        assert!(compile(&[rule("r", "x", &"X".repeat(40))]).is_ok());
        assert!(compile(&[rule("r", "x", "A_1_B")]).is_ok());
    }

    #[test]
    fn bad_patterns_say_why() {
        assert_eq!(
            error_of(&[rule("r", "", "X")]),
            "rule `r`: pattern is empty"
        );
        assert_eq!(
            error_of(&[rule("r", "(abc", "X")]),
            "rule `r`: pattern is not a valid regular expression: unclosed group"
        );
        assert_eq!(
            error_of(&[rule("r", &"a".repeat(501), "X")]),
            "rule `r`: pattern must be at most 500 characters, got 501"
        );
        assert!(compile(&[rule("r", &"a".repeat(500), "X")]).is_ok());
    }

    #[test]
    fn a_hostile_pattern_is_refused_not_compiled() {
        // Each would compile to hundreds of megabytes without a size limit.
        for pattern in [
            r"(\w{100}){100}",
            r"[\p{L}\p{N}]{1000}",
            r"((a{50}){50}){50}",
        ] {
            assert_eq!(
                error_of(&[rule("evil", pattern, "X")]),
                "rule `evil`: pattern is too complex (its compiled form is over the size limit)",
                "{pattern}"
            );
        }
        let nested = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        let message = error_of(&[rule("deep", &nested, "X")]);
        assert!(
            message.starts_with("rule `deep`: pattern is not a valid regular expression: "),
            "{message}"
        );
    }

    #[test]
    fn at_most_64_rules() {
        let many: Vec<PrivacyRule> = (0..=MAX_RULES)
            .map(|i| rule(&format!("r{i}"), "x", "X"))
            .collect();
        assert!(compile(&many[..MAX_RULES]).is_ok());
        assert_eq!(error_of(&many), "may hold at most 64 rules, got 65");
    }

    #[test]
    fn the_wire_shape_is_camel_case() {
        let json = serde_json::to_value(rule("a", "b", "C")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "a", "pattern": "b", "placeholder": "C"})
        );
    }
}
