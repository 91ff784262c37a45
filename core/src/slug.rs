//! File-name-safe slugs for flow, collection, node-entry and connection names.

/// Lowercase ASCII letters and digits joined by single `-`; `"flow"` when nothing is left.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("flow");
    }
    slug
}

/// Whether `slug` is what [`slugify`] could produce (safe as a file name, no traversal).
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 128
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_dash_joined() {
        assert_eq!(slugify("JCL Pipeline"), "jcl-pipeline");
        assert_eq!(slugify("  Build & Test!! v2 "), "build-test-v2");
        assert_eq!(slugify("¿¿??"), "flow");
        assert!(is_valid_slug(&slugify("Déjà vu")));
    }

    #[test]
    fn traversal_and_odd_names_are_not_slugs() {
        for bad in ["", "../x", "a/b", "A", "-a", "a-", "a.b"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }
}
