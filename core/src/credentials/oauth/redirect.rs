//! The server edition's redirect URI: the origin the person's browser reached the server at,
//! plus the callback route.

use crate::AppError;

/// The callback route both the server and the loopback listener answer.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// `<redirect_base>/oauth/callback`, for an http(s) origin without path, query or credentials.
pub(crate) fn callback_uri(redirect_base: &str) -> Result<String, AppError> {
    let refuse = |why: &str| {
        AppError::InvalidInput(format!(
            "redirectBase must be the origin the browser reached Flow at, like `https://flow.example.com`: {why}, got {redirect_base:?}"
        ))
    };
    let url = reqwest::Url::parse(redirect_base.trim()).map_err(|_| refuse("not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(refuse("it must be an http or https URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it must not carry credentials"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("it must not have a path, query or fragment"));
    }
    Ok(format!(
        "{}{CALLBACK_PATH}",
        url.origin().ascii_serialization()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_accepted_anything_more_is_refused() {
        assert_eq!(
            callback_uri("https://flow.example.com").unwrap(),
            "https://flow.example.com/oauth/callback"
        );
        assert_eq!(
            callback_uri("http://127.0.0.1:3456/").unwrap(),
            "http://127.0.0.1:3456/oauth/callback"
        );
        assert_eq!(
            callback_uri("HTTPS://Flow.Example.com:443").unwrap(),
            "https://flow.example.com/oauth/callback"
        );
        for bad in [
            "flow.example.com",
            "ftp://flow.example.com",
            "https://flow.example.com/app",
            "https://flow.example.com/?x=1",
            "https://flow.example.com/#x",
            "https://user:pw@flow.example.com",
            "javascript:alert(1)",
            "",
        ] {
            let err = callback_uri(bad).unwrap_err();
            assert!(matches!(err, AppError::InvalidInput(_)), "{bad}: {err:?}");
        }
    }
}
