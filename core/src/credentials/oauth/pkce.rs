//! PKCE (RFC 7636) and the `state` value: random strings from the OS RNG.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::AppError;

/// Random bytes behind a code verifier: 48 bytes give 64 base64url characters (RFC 7636 allows
/// 43 to 128 from the unreserved alphabet, which base64url without padding is a subset of).
const VERIFIER_BYTES: usize = 48;
/// Random bytes behind a `state`: 256 bits.
const STATE_BYTES: usize = 32;

/// `bytes` random bytes from the OS RNG, as base64url without padding.
fn random_text(bytes: usize) -> Result<Zeroizing<String>, AppError> {
    let mut buf = Zeroizing::new(vec![0u8; bytes]);
    getrandom::fill(&mut buf)
        .map_err(|e| AppError::Internal(format!("the OS random number generator failed: {e}")))?;
    Ok(Zeroizing::new(URL_SAFE_NO_PAD.encode(&*buf)))
}

/// A code verifier and its S256 challenge.
pub(crate) struct Pkce {
    /// Sent with the code exchange only; kept in memory with the pending grant.
    pub verifier: Zeroizing<String>,
    /// `BASE64URL(SHA256(verifier))`, sent with the authorization request.
    pub challenge: String,
}

impl Pkce {
    /// A fresh verifier and challenge.
    pub fn new() -> Result<Self, AppError> {
        let verifier = random_text(VERIFIER_BYTES)?;
        let challenge = challenge_of(&verifier);
        Ok(Self {
            verifier,
            challenge,
        })
    }
}

/// The S256 challenge of a verifier.
pub(crate) fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state`: unguessable, so only the browser that started a grant can complete it.
pub(crate) fn new_state() -> Result<String, AppError> {
    Ok(random_text(STATE_BYTES)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreserved(text: &str) -> bool {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    }

    #[test]
    fn verifier_has_the_rfc_length_and_alphabet_and_the_challenge_is_s256() {
        let pkce = Pkce::new().unwrap();
        assert!(
            (43..=128).contains(&pkce.verifier.len()),
            "{}",
            pkce.verifier.len()
        );
        assert!(unreserved(&pkce.verifier));
        assert_eq!(pkce.challenge, challenge_of(&pkce.verifier));
        assert_eq!(pkce.challenge.len(), 43);
        // RFC 7636 appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn values_differ_each_time_and_state_carries_256_bits() {
        let a = new_state().unwrap();
        let b = new_state().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(unreserved(&a));
        assert_ne!(
            *Pkce::new().unwrap().verifier,
            *Pkce::new().unwrap().verifier
        );
    }
}
