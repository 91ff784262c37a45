//! Grants in flight: started, waiting for the provider's redirect. In memory only, single use,
//! expiring, and bounded so a flood of starts cannot grow it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::AppError;

/// How long a person has to consent at the provider.
pub(crate) const GRANT_TTL: Duration = Duration::from_secs(10 * 60);
/// Most grants kept at once; starting another drops the oldest.
const MAX_PENDING: usize = 32;

/// One started grant.
pub(crate) struct Grant {
    /// The connection it connects.
    pub connection: String,
    /// The PKCE code verifier.
    pub verifier: Zeroizing<String>,
    /// The redirect URI sent with the authorization request (the exchange must repeat it).
    pub redirect_uri: String,
    /// When it was started.
    pub created: Instant,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("connection", &self.connection)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// The grants in flight, by `state`.
pub(crate) struct PendingGrants {
    grants: Mutex<HashMap<String, Grant>>,
    ttl: Duration,
}

impl Default for PendingGrants {
    fn default() -> Self {
        Self::with_ttl(GRANT_TTL)
    }
}

impl PendingGrants {
    /// An empty set whose grants expire after `ttl`.
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            grants: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// Keeps a grant under `state`, dropping expired ones and, at the bound, the oldest.
    pub fn insert(&self, state: String, grant: Grant) {
        let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        grants.retain(|_, g| g.created.elapsed() < self.ttl);
        while grants.len() >= MAX_PENDING {
            let oldest = grants
                .iter()
                .min_by_key(|(_, g)| g.created)
                .map(|(state, _)| state.clone());
            match oldest {
                Some(state) => {
                    grants.remove(&state);
                }
                None => break,
            }
        }
        grants.insert(state, grant);
    }

    /// Whether `state` names a grant still in flight.
    pub fn contains(&self, state: &str) -> bool {
        self.grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(state)
            .is_some_and(|g| g.created.elapsed() < self.ttl)
    }

    /// Removes and returns the grant of `state`: a second call with the same state, an unknown
    /// state and an expired grant are all refused.
    pub fn take(&self, state: &str) -> Result<Grant, AppError> {
        let grant = self
            .grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(state);
        match grant {
            Some(grant) if grant.created.elapsed() < self.ttl => Ok(grant),
            Some(grant) => Err(AppError::Unauthorized(format!(
                "connecting `{}` took longer than {} minutes; start connecting again",
                grant.connection,
                self.ttl.as_secs() / 60
            ))),
            None => Err(AppError::Unauthorized(
                "this sign-in is unknown, already completed or expired (the `state` does not match a grant in progress); start connecting again".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(connection: &str) -> Grant {
        Grant {
            connection: connection.into(),
            verifier: Zeroizing::new("v".repeat(43)),
            redirect_uri: "http://127.0.0.1:1/oauth/callback".into(),
            created: Instant::now(),
        }
    }

    #[test]
    fn a_state_completes_once() {
        let pending = PendingGrants::default();
        pending.insert("s1".into(), grant("gh"));
        assert!(pending.contains("s1"));
        assert_eq!(pending.take("s1").unwrap().connection, "gh");
        assert!(!pending.contains("s1"));
        let again = pending.take("s1").unwrap_err();
        assert!(matches!(again, AppError::Unauthorized(_)), "{again:?}");
        assert!(pending.take("other").is_err());
    }

    #[test]
    fn expired_grants_are_refused_with_a_clear_message() {
        let pending = PendingGrants::with_ttl(Duration::from_millis(20));
        pending.insert("s1".into(), grant("gh"));
        std::thread::sleep(Duration::from_millis(40));
        let err = pending.take("s1").unwrap_err();
        assert!(err.message().contains("start connecting again"), "{err}");
        assert!(err.message().contains("`gh`"), "{err}");
    }

    #[test]
    fn the_count_is_bounded_and_the_oldest_go_first() {
        let pending = PendingGrants::default();
        for n in 0..MAX_PENDING + 5 {
            pending.insert(format!("s{n}"), grant(&format!("c{n}")));
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(pending.grants.lock().unwrap().len(), MAX_PENDING);
        assert!(pending.take("s0").is_err());
        assert!(pending.take(&format!("s{}", MAX_PENDING + 4)).is_ok());
    }
}
