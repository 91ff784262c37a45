//! The server's access token: given, or created once and kept in the data directory.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flow_core::AppError;
use flow_http::AccessToken;

const TOKEN_FILE: &str = "server-token";

/// The token in force and whether it may be shown in a login URL.
pub struct ServerToken {
    pub access: AccessToken,
    /// Set when the server made (or stored) the token itself; an operator-supplied token is
    /// never echoed.
    printable: Option<String>,
}

impl ServerToken {
    /// `<url>/?token=…` for a server-made token.
    pub fn login_url(&self, url: &str) -> Option<String> {
        self.printable.as_ref().map(|t| format!("{url}/?token={t}"))
    }
}

/// Uses `given`, else the stored token, else creates and stores a new one (mode 0600).
pub fn load_or_create(given: Option<&str>, data_dir: &Path) -> Result<ServerToken, AppError> {
    if let Some(token) = given {
        return Ok(ServerToken {
            access: AccessToken::new(token)?,
            printable: None,
        });
    }
    let path = data_dir.join(TOKEN_FILE);
    let token = match std::fs::read_to_string(&path) {
        Ok(stored) if AccessToken::new(stored.trim()).is_ok() => stored.trim().to_owned(),
        Ok(_) | Err(_) => {
            let token = generate()?;
            store(&path, &token)?;
            tracing::info!(file = %path.display(), "created a new access token");
            token
        }
    };
    Ok(ServerToken {
        access: AccessToken::new(&token)?,
        printable: Some(token),
    })
}

fn generate() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no OS randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn store(path: &Path, token: &str) -> Result<(), AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| AppError::io(format!("writing {}", path.display()), e))?;
    file.write_all(token.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| AppError::io(format!("writing {}", path.display()), e))
}
