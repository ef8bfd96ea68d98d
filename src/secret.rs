//! Secrets that must not reach logs, panics or `{:?}`: passwords, hashes, tokens and
//! keys are held in [`secrecy`] types, whose `Debug` prints a placeholder.
//!
//! [`IssuedSecret`] is the one exception that is serialised: a token the server hands
//! to its owner in a response body, redacted everywhere else.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, Serializer};

/// A token written into a response for the client that owns it.
pub struct IssuedSecret(SecretString);

impl IssuedSecret {
    pub fn new(value: String) -> Self {
        IssuedSecret(SecretString::from(value))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for IssuedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl Serialize for IssuedSecret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}
