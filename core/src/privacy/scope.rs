//! A sanitize scope: the one mapping from real values to placeholders that the texts of one
//! prompt share, so the same value reads the same everywhere, and the way back for display.
//!
//! Placeholders are `[KIND_n]`, numbered per kind from 1 in order of first appearance. Text in
//! the input that already looks like a placeholder is never given a meaning: its number is
//! skipped when numbering, and if an earlier text of the scope already handed that very
//! placeholder out, the literal text is itself replaced (by a fresh placeholder that restores to
//! it), so [`SanitizeScope::restore`] gives back exactly what came in.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use super::Sanitizer;
use super::detectors::{Finding, SECRET, TOKEN};
use super::overlap::Chosen;

/// Credentials at least this long are also replaced where they are repeated without the
/// context that gave them away (`password=…` once, then the bare value in a log line).
/// Shorter ones would hit ordinary words.
const MIN_ECHO_CHARS: usize = 8;
/// Longer values (a private key block) are not looked for again: no real secret is that long
/// outside the shapes the detectors find anywhere, and building a matcher for huge periodic
/// values is slow.
const MAX_ECHO_BYTES: usize = 512;
/// At most this many repeated credentials are looked for in one text.
const MAX_ECHO_VALUES: usize = 1024;

/// One value a scope replaced.
#[derive(Serialize, Deserialize, specta::Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    /// What the model sees, e.g. `[EMAIL_1]`.
    pub placeholder: String,
    /// The kind label, e.g. `EMAIL` or a rule's `DATASET_NAME`.
    pub kind: String,
    /// The real value.
    pub original: String,
}

/// One mapping shared by several texts (a prompt's parts), and its way back.
#[derive(Clone)]
pub struct SanitizeScope {
    sanitizer: Sanitizer,
    replacements: Vec<Replacement>,
    by_original: HashMap<String, usize>,
    by_placeholder: HashMap<String, usize>,
    /// Per kind, the next number to try.
    next_number: HashMap<String, u64>,
    /// Placeholder-looking text seen in any input: never handed out.
    reserved: HashSet<String>,
}

/// Shows how much the scope holds, never the values: a scope's `Debug` must be safe to log.
impl std::fmt::Debug for SanitizeScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanitizeScope")
            .field("replacements", &self.replacements.len())
            .finish_non_exhaustive()
    }
}

/// A span to replace, planned before any placeholder is handed out.
struct Planned {
    start: usize,
    end: usize,
    kind: String,
}

impl SanitizeScope {
    pub(super) fn new(sanitizer: Sanitizer) -> Self {
        Self {
            sanitizer,
            replacements: Vec::new(),
            by_original: HashMap::new(),
            by_placeholder: HashMap::new(),
            next_number: HashMap::new(),
            reserved: HashSet::new(),
        }
    }

    /// `text` with every detected value replaced by its placeholder; a value already replaced
    /// in this scope gets the placeholder it got before.
    pub fn sanitize(&mut self, text: &str) -> String {
        let sanitizer = self.sanitizer.clone();
        // Placeholder-looking text in the input: reserved before anything is numbered; one
        // this scope already handed out must not reach the model as is.
        let mut taken = Vec::new();
        for literal in sanitizer.builtins().placeholder.find_iter(text) {
            if self.by_placeholder.contains_key(literal.as_str()) {
                taken.push((literal.start(), literal.end()));
            }
            if !self.reserved.contains(literal.as_str()) {
                self.reserved.insert(literal.as_str().to_owned());
            }
        }
        let plan = self.plan(&sanitizer, text, &taken);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for span in plan {
            out.push_str(&text[copied..span.start]);
            let placeholder = self.placeholder_for(&span.kind, &text[span.start..span.end]);
            out.push_str(&placeholder);
            copied = span.end;
        }
        out.push_str(&text[copied..]);
        out
    }

    /// Placeholders of this scope back to their real values; other text (placeholders this
    /// scope never handed out included) stays as it is.
    pub fn restore(&self, text: &str) -> String {
        self.sanitizer
            .builtins()
            .placeholder
            .replace_all(text, |caps: &regex::Captures<'_>| {
                let found = caps.get(0).map_or("", |m| m.as_str());
                match self.by_placeholder.get(found) {
                    Some(&index) => self.replacements[index].original.clone(),
                    None => found.to_owned(),
                }
            })
            .into_owned()
    }

    /// Every value replaced so far, in order of first appearance.
    pub fn replacements(&self) -> &[Replacement] {
        &self.replacements
    }

    /// The spans of `text` to replace, in order: detections, then repeats of credentials,
    /// then literal placeholders this scope already handed out (`taken`).
    fn plan(&self, sanitizer: &Sanitizer, text: &str, taken: &[(usize, usize)]) -> Vec<Planned> {
        let mut chosen = sanitizer.choose(text);
        self.add_echoes(text, &mut chosen);
        for &(start, end) in taken {
            let literal = &text[start + 1..end - 1];
            let kind = literal
                .rsplit_once('_')
                .map_or(literal, |(kind, _number)| kind);
            chosen.try_insert(Finding {
                start,
                end,
                kind,
                credential: false,
                rank: u16::MAX,
            });
        }
        chosen
            .iter()
            .map(|finding| Planned {
                start: finding.start,
                end: finding.end,
                kind: finding.kind.to_owned(),
            })
            .collect()
    }

    /// Adds the repeats of credentials (this scope's and this text's own) that no detector
    /// caught, where they stand as a word of their own.
    fn add_echoes<'k>(&'k self, text: &'k str, chosen: &mut Chosen<'k>) {
        let mut values: Vec<(&'k str, &'k str)> = Vec::new();
        let mut seen = HashSet::new();
        let earlier = self
            .replacements
            .iter()
            .map(|r| (r.original.as_str(), r.kind.as_str()));
        let here: Vec<(&'k str, &'k str)> = chosen
            .iter()
            .filter(|f| f.credential)
            .map(|f| (&text[f.start..f.end], f.kind))
            .collect();
        for (value, kind) in earlier.chain(here) {
            if values.len() == MAX_ECHO_VALUES {
                break;
            }
            if (kind == SECRET || kind == TOKEN)
                && value.len() <= MAX_ECHO_BYTES
                && value.chars().count() >= MIN_ECHO_CHARS
                && seen.insert(value)
            {
                values.push((value, kind));
            }
        }
        if values.is_empty() {
            return;
        }
        let matcher = match AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(values.iter().map(|(value, _)| value))
        {
            Ok(matcher) => matcher,
            Err(err) => {
                tracing::warn!(%err, "repeated credentials are not matched in this text");
                return;
            }
        };
        let bytes = text.as_bytes();
        let word = |at: Option<&u8>| at.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        for found in matcher.find_iter(text) {
            let before = found.start().checked_sub(1).and_then(|i| bytes.get(i));
            if word(before) || word(bytes.get(found.end())) {
                continue;
            }
            let (_, kind) = values[found.pattern().as_usize()];
            chosen.try_insert(Finding {
                start: found.start(),
                end: found.end(),
                kind,
                credential: true,
                rank: u16::MAX,
            });
        }
    }

    /// The placeholder of `original`: the one it already has, else the next free number of
    /// `kind` (skipping placeholder-looking input text).
    fn placeholder_for(&mut self, kind: &str, original: &str) -> String {
        if let Some(&index) = self.by_original.get(original) {
            return self.replacements[index].placeholder.clone();
        }
        let next = self.next_number.entry(kind.to_owned()).or_insert(1);
        let placeholder = loop {
            let candidate = format!("[{kind}_{next}]");
            *next += 1;
            if !self.reserved.contains(&candidate) {
                break candidate;
            }
        };
        let index = self.replacements.len();
        self.by_original.insert(original.to_owned(), index);
        self.by_placeholder.insert(placeholder.clone(), index);
        self.replacements.push(Replacement {
            placeholder: placeholder.clone(),
            kind: kind.to_owned(),
            original: original.to_owned(),
        });
        placeholder
    }
}
