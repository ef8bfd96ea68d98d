//! The signed token of a reminder's unsubscribe link: it works without logging in
//! (RFC 8058 one-click, or a link the front end posts), for that one account only.
//!
//! A token is the account id and an HMAC-SHA256 of it (truncated to 128 bits) under
//! the server's signing key, base64url: nothing is stored, a token cannot be made for
//! another account, and it keeps working for as long as the key does (a mail read
//! weeks later still unsubscribes).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Separates these MACs from anything else the key might sign.
const PURPOSE: &[u8] = b"studytrack reminder unsubscribe\0";
const MAC_BYTES: usize = 16;

fn mac(key: &[u8], user_id: Uuid) -> Option<[u8; MAC_BYTES]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(PURPOSE);
    mac.update(user_id.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0; MAC_BYTES];
    out.copy_from_slice(&full[..MAC_BYTES]);
    Some(out)
}

/// The token for `user_id`.
pub fn token(key: &[u8], user_id: Uuid) -> Option<String> {
    let mut bytes = user_id.as_bytes().to_vec();
    bytes.extend_from_slice(&mac(key, user_id)?);
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// The account a token was made for, or `None` for anything this key did not make.
pub fn verify(key: &[u8], token: &str) -> Option<Uuid> {
    if token.len() > 64 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    if bytes.len() != 16 + MAC_BYTES {
        return None;
    }
    let user_id = Uuid::from_slice(&bytes[..16]).ok()?;
    let mut check = Hmac::<Sha256>::new_from_slice(key).ok()?;
    check.update(PURPOSE);
    check.update(user_id.as_bytes());
    // Constant-time comparison of the truncated tag.
    check.verify_truncated_left(&bytes[16..]).ok()?;
    Some(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_for_its_account_only() {
        let key = b"a signing key of at least thirty-two bytes";
        let ann = Uuid::new_v4();
        let token = token(key, ann).unwrap();
        assert_eq!(token.len(), 43);
        assert_eq!(verify(key, &token), Some(ann));
        assert_eq!(verify(b"another key entirely, also long enough", &token), None);
        // Another account's id with this account's tag.
        let mut forged = URL_SAFE_NO_PAD.decode(&token).unwrap();
        forged[..16].copy_from_slice(Uuid::new_v4().as_bytes());
        assert_eq!(verify(key, &URL_SAFE_NO_PAD.encode(forged)), None);
        for junk in ["", "x", "%%%", &"A".repeat(43), &"A".repeat(500)] {
            assert_eq!(verify(key, junk), None, "{junk:?}");
        }
    }
}
