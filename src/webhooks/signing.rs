//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): what lets a
//! receiver check, with a published library, that a call came from us and was not
//! replayed.
//!
//! The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the signature is
//! HMAC-SHA256 under the secret's bytes (the base64 after `whsec_`), sent as
//! `v1,<base64>`. During a rotation both secrets sign and the header carries both,
//! separated by a space, so a receiver holding either verifies.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// A new secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a `whsec_` secret; `None` for anything else.
fn key(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(PREFIX)?).ok().filter(|k| !k.is_empty())
}

/// One `v1,<base64>` signature of a message under `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header value: one signature per secret, space-separated.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let signatures: Option<Vec<String>> = secrets.iter().map(|s| sign(s, id, timestamp, body)).collect();
    signatures.map(|s| s.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks specification's reference tests.
    #[test]
    fn matches_the_specifications_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let got = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(got.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn new_secrets_are_usable_and_distinct() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_") && sign(&a, "id", 1, b"{}").is_some());
        assert_eq!(sign("not-a-secret", "id", 1, b"{}"), None);
        let both = header(&[&a, &b], "id", 1, b"{}").unwrap_or_default();
        assert_eq!(both.split(' ').count(), 2);
    }
}
