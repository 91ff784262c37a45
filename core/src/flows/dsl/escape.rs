//! String literals: reading them (with their escapes) and writing any string so it reads back.

use super::DslError;
use super::cursor::{Cursor, describe};

/// Writes `s` as a double-quoted literal. Control characters without a short escape become
/// `\u{…}` so that any string, even one full of them, survives a round trip.
pub(crate) fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    // Plain runs are copied whole. Every character that needs an escape starts with an ASCII
    // byte or 0xC2 (the C1 controls U+0080..U+009F), so a byte scan finds the candidates.
    let mut plain_from = 0;
    for (i, b) in s.bytes().enumerate() {
        if !(b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f || b == 0xc2) {
            continue;
        }
        let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
            continue;
        };
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if c.is_control() => "",
            _ => continue,
        };
        out.push_str(s.get(plain_from..i).unwrap_or(""));
        plain_from = i + c.len_utf8();
        if escape.is_empty() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(s.get(plain_from..).unwrap_or(""));
    out.push('"');
}

/// Reads a double-quoted literal; the cursor must be at its opening quote.
pub(crate) fn read_string(cur: &mut Cursor<'_>) -> Result<String, DslError> {
    let open = cur.pos();
    if !cur.eat('"') {
        return Err(open.error(format!("expected a string, found {}", describe(cur.peek()))));
    }
    let mut value = String::new();
    loop {
        value.push_str(cur.take_until(b"\"\\"));
        let here = cur.pos();
        match cur.bump() {
            None => {
                return Err(here.error(format!(
                    "expected '\"' to close the string opened at {}:{}, found end of input",
                    open.line, open.column
                )));
            }
            Some('\n') => {
                return Err(here.error(format!(
                    "expected '\"' to close the string opened at {}:{}, found end of line \
                     (write a newline as \\n)",
                    open.line, open.column
                )));
            }
            Some('"') => return Ok(value),
            Some('\\') => value.push(read_escape(cur, here)?),
            Some(c) => value.push(c),
        }
    }
}

/// Reads what follows a backslash; `at` is the backslash, where errors point.
fn read_escape(cur: &mut Cursor<'_>, at: super::cursor::Pos) -> Result<char, DslError> {
    match cur.bump() {
        Some('"') => Ok('"'),
        Some('\\') => Ok('\\'),
        Some('n') => Ok('\n'),
        Some('t') => Ok('\t'),
        Some('r') => Ok('\r'),
        Some('u') => read_unicode_escape(cur, at),
        found => Err(at.error(format!(
            "expected one of \\\" \\\\ \\n \\t \\r \\u{{…}} after '\\', found {}",
            describe(found)
        ))),
    }
}

/// Reads the `{XXXX}` of a `\u{XXXX}` escape: 1 to 6 hex digits naming a Unicode scalar value.
fn read_unicode_escape(cur: &mut Cursor<'_>, at: super::cursor::Pos) -> Result<char, DslError> {
    if !cur.eat('{') {
        return Err(cur.pos().error(format!(
            "expected '{{' after \\u, found {}",
            describe(cur.peek())
        )));
    }
    let digits = cur.take_while(|_, c| c.is_ascii_hexdigit());
    if digits.is_empty() || digits.len() > 6 {
        return Err(at.error("expected 1 to 6 hex digits in \\u{…}"));
    }
    if !cur.eat('}') {
        return Err(cur.pos().error(format!(
            "expected '}}' to close \\u{{…}}, found {}",
            describe(cur.peek())
        )));
    }
    u32::from_str_radix(digits, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| at.error(format!("\\u{{{digits}}} is not a Unicode scalar value")))
}
