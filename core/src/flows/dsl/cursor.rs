//! A character cursor over DSL source that knows its 1-based line and column.
//!
//! Every read goes through `str::get` and `chars()`, so no input can make it index out of bounds
//! or split a UTF-8 sequence.

use super::DslError;

/// A position in the source, 1-based, column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

impl Pos {
    /// An error at this position.
    pub(crate) fn error(self, message: impl Into<String>) -> DslError {
        DslError {
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

/// Reads the source one character at a time.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    src: &'a str,
    offset: usize,
    pos: Pos,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `src` (a leading byte-order mark is skipped: editors add it).
    pub(crate) fn new(src: &'a str) -> Self {
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        Self {
            src,
            offset: 0,
            pos: Pos { line: 1, column: 1 },
        }
    }

    /// Where the next character is.
    pub(crate) fn pos(&self) -> Pos {
        self.pos
    }

    /// The unread text.
    pub(crate) fn rest(&self) -> &'a str {
        self.src.get(self.offset..).unwrap_or("")
    }

    /// The next character, if any.
    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// The character after the next one, if any.
    pub(crate) fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    /// Whether the unread text starts with `s`.
    pub(crate) fn starts_with(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    /// Consumes and returns the next character.
    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.pos.line = self.pos.line.saturating_add(1);
            self.pos.column = 1;
        } else {
            self.pos.column = self.pos.column.saturating_add(1);
        }
        Some(c)
    }

    /// Consumes the next character when it is `c`.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes `s` when the unread text starts with it (`s` must not contain a newline).
    pub(crate) fn eat_str(&mut self, s: &str) -> bool {
        if self.starts_with(s) {
            for _ in s.chars() {
                self.bump();
            }
            true
        } else {
            false
        }
    }

    /// Consumes characters while `keep` holds and returns them as one slice of the source.
    pub(crate) fn take_while(&mut self, mut keep: impl FnMut(&Self, char) -> bool) -> &'a str {
        let start = self.offset;
        while let Some(c) = self.peek() {
            if !keep(self, c) {
                break;
            }
            self.bump();
        }
        self.src.get(start..self.offset).unwrap_or("")
    }

    /// Consumes bytes up to the first newline or byte in `stops` (all ASCII, so the run ends on a
    /// character boundary) in one step; strings and comments are mostly such runs, and reading
    /// them a character at a time would dominate parsing.
    pub(crate) fn take_until(&mut self, stops: &[u8]) -> &'a str {
        let rest = self.rest();
        let len = rest
            .bytes()
            .position(|b| b == b'\n' || stops.contains(&b))
            .unwrap_or(rest.len());
        let run = rest.get(..len).unwrap_or("");
        self.offset += run.len();
        let chars = u32::try_from(run.chars().count()).unwrap_or(u32::MAX);
        self.pos.column = self.pos.column.saturating_add(chars);
        run
    }

    /// Skips spaces, tabs and carriage returns (a `\r\n` line ends at its `\n`) and a comment
    /// running to the end of the line; stops at the newline.
    pub(crate) fn skip_inline(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.bump();
                }
                Some('#') => self.skip_to_line_end(),
                Some('/') if self.peek_second() == Some('/') => self.skip_to_line_end(),
                _ => return,
            }
        }
    }

    /// Skips inline whitespace, comments and newlines.
    pub(crate) fn skip_blank(&mut self) {
        loop {
            self.skip_inline();
            if !self.eat('\n') {
                return;
            }
        }
    }

    /// Consumes everything up to (not including) the next newline.
    pub(crate) fn skip_to_line_end(&mut self) {
        self.take_until(&[]);
    }

    /// Whether the cursor is at a newline or the end of the input.
    pub(crate) fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some('\n'))
    }
}

/// How an error message names what the cursor found.
pub(crate) fn describe(found: Option<char>) -> String {
    match found {
        None => "end of input".to_owned(),
        Some('\n') => "end of line".to_owned(),
        Some(c) if c.is_control() => format!("'{}'", c.escape_unicode()),
        Some(c) => format!("'{c}'"),
    }
}
