//! Secrets among the settings: how strong a signing key must be, a generated one for
//! development, and connection strings whose password never reaches a log.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// Shortest acceptable signing key: RFC 7518 asks for a key at least as long as the hash.
pub const MIN_SECRET_BYTES: usize = 32;

/// Checks a signing key's strength; `Err` says why it is weak.
pub fn check_secret(secret: &[u8]) -> Result<(), String> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!("it is {} bytes; at least {MIN_SECRET_BYTES} are required", secret.len()));
    }
    let distinct: std::collections::HashSet<&u8> = secret.iter().collect();
    if distinct.len() < 12 {
        return Err("it repeats too few distinct characters to be random".to_owned());
    }
    let lower = String::from_utf8_lossy(secret).to_lowercase();
    if ["changeme", "secret", "password", "example"].iter().any(|w| lower.contains(w)) {
        return Err("it contains a placeholder word".to_owned());
    }
    Ok(())
}

/// 48 random alphanumeric bytes (about 285 bits).
pub(super) fn random_secret() -> Vec<u8> {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng().sample_iter(Alphanumeric).take(48).collect()
}

/// Hides the password in a connection string.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A connection string: its password is a secret, so `Debug` and `Display` show it
/// redacted, and only [`DatabaseUrl::expose`] gives the real text (to connect).
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    pub fn new(url: String) -> Self {
        DatabaseUrl(SecretString::from(url))
    }

    /// The full connection string, password included.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact_url(self.expose()))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.expose()))
    }
}
