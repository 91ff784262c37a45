//! The DSL's small tokens: node ids, identifiers and numbers.

use serde_json::Number;

use super::DslError;
use super::cursor::{Cursor, Pos, describe};

/// Whether `c` may appear in a node or sub-flow id.
pub(crate) fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Whether `s` is a bare identifier (a data key or node kind): `[A-Za-z_][A-Za-z0-9_-]*`.
pub(crate) fn is_bare_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(is_id_char)
}

/// Reads an id. It stops before `-->` so `a-->b` reads as an edge even though ids may hold `-`.
pub(crate) fn read_id(cur: &mut Cursor<'_>, what: &str) -> Result<(String, Pos), DslError> {
    let at = cur.pos();
    let id = cur.take_while(|cur, c| is_id_char(c) && !cur.starts_with("-->"));
    if id.is_empty() {
        return Err(at.error(format!("expected {what}, found {}", describe(cur.peek()))));
    }
    Ok((id.to_owned(), at))
}

/// Reads a bare identifier (`[A-Za-z_][A-Za-z0-9_-]*`), also stopping before `-->` (`a.fail-->b`).
pub(crate) fn read_ident(cur: &mut Cursor<'_>, what: &str) -> Result<(String, Pos), DslError> {
    let at = cur.pos();
    if !cur
        .peek()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        return Err(at.error(format!("expected {what}, found {}", describe(cur.peek()))));
    }
    let ident = cur.take_while(|cur, c| is_id_char(c) && !cur.starts_with("-->"));
    Ok((ident.to_owned(), at))
}

/// Reads a number in JSON syntax. Integers stay exact `i64`/`u64` where they fit; anything with a
/// fraction or exponent (or too big for 64 bits) becomes `f64`, parsed by the standard library
/// because it rounds correctly, so every finite float the serializer writes reads back bit-exact.
pub(crate) fn read_number(cur: &mut Cursor<'_>) -> Result<Number, DslError> {
    let at = cur.pos();
    let start = cur.rest();
    let mut len = 0usize;
    let mut integral = true;
    if cur.eat('-') {
        len += 1;
    }
    match cur.peek() {
        Some('0') => {
            cur.bump();
            len += 1;
            if cur.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(cur
                    .pos()
                    .error("expected no leading zeros in a number, found a digit after '0'"));
            }
        }
        Some('1'..='9') => len += digits(cur),
        found => {
            return Err(cur.pos().error(format!(
                "expected a digit in the number, found {}",
                describe(found)
            )));
        }
    }
    if cur.peek() == Some('.') {
        integral = false;
        cur.bump();
        len += 1;
        len += required_digits(cur, "after '.' in the number")?;
    }
    if matches!(cur.peek(), Some('e' | 'E')) {
        integral = false;
        cur.bump();
        len += 1;
        if matches!(cur.peek(), Some('+' | '-')) {
            cur.bump();
            len += 1;
        }
        len += required_digits(cur, "in the number's exponent")?;
    }
    let text = start.get(..len).unwrap_or("");
    let exact = if !integral {
        None
    } else if text.starts_with('-') {
        text.parse::<i64>().ok().map(Number::from)
    } else {
        text.parse::<u64>().ok().map(Number::from)
    };
    if let Some(number) = exact {
        return Ok(number);
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .ok_or_else(|| at.error(format!("number {text} is out of range")))
}

/// Consumes ASCII digits and returns how many (each is one byte).
fn digits(cur: &mut Cursor<'_>) -> usize {
    cur.take_while(|_, c| c.is_ascii_digit()).len()
}

/// Like [`digits`], but at least one is required.
fn required_digits(cur: &mut Cursor<'_>, place: &str) -> Result<usize, DslError> {
    let n = digits(cur);
    if n == 0 {
        return Err(cur.pos().error(format!(
            "expected a digit {place}, found {}",
            describe(cur.peek())
        )));
    }
    Ok(n)
}
