//! `{name}` placeholders in operation paths and header values: finding them when a descriptor
//! is checked, and filling them from a node's inputs when it runs.

/// The placeholder names in `template`, in order; an unclosed `{` or an empty `{}` is an error.
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{template}` has a `{{` that is never closed"))?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`{template}` has the placeholder `{{{name}}}`; names are letters, digits and `_`"
            ));
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("`{template}` has a `}}` with no `{{`"));
    }
    Ok(names)
}

/// `template` with each `{name}` replaced by `value(name)` passed through `encode`; the first
/// name `value` has nothing for is the error.
pub fn fill(
    template: &str,
    value: impl Fn(&str) -> Option<String>,
    encode: impl Fn(&str) -> String,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            // Checked descriptors never get here; keep the text as written.
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &after[..close];
        let filled = value(name).ok_or_else(|| name.to_owned())?;
        out.push_str(&encode(&filled));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Percent-encodes one path segment: everything but the URL-unreserved characters, so a `/` or
/// `?` in an input can never change which resource is asked for.
pub fn encode_segment(value: &str) -> String {
    /// Everything except `A-Z a-z 0-9 - . _ ~` (RFC 3986 unreserved).
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_fills_placeholders() {
        assert_eq!(
            placeholders("/repos/{owner}/{repo}/issues").unwrap(),
            ["owner", "repo"]
        );
        assert!(placeholders("/a/{open").is_err());
        assert!(placeholders("/a/{}").is_err());
        assert!(placeholders("/a/{b c}").is_err());
        assert!(placeholders("/a/b}").is_err());
        let value = |n: &str| (n == "owner").then(|| "a b/c?d".to_owned());
        assert_eq!(
            fill("/repos/{owner}/x", value, encode_segment).unwrap(),
            "/repos/a%20b%2Fc%3Fd/x"
        );
        assert_eq!(
            fill("/repos/{owner}/{repo}", value, encode_segment).unwrap_err(),
            "repo"
        );
        assert_eq!(encode_segment("ünï-._~"), "%C3%BCn%C3%AF-._~");
    }
}
