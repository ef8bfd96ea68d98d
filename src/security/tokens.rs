//! Access tokens (HS256 JWTs, RFC 8725 practice) and opaque refresh tokens.
//!
//! The algorithm is pinned to HS256 and `iss`, `aud`, `exp`, `iat` and `sub` are
//! required and checked, so `alg: none`, algorithm confusion, tokens for another
//! audience and expired tokens all fail the same way: 401.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub const ISSUER: &str = "studytrack";
pub const AUDIENCE: &str = "studytrack-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub role: String,
    /// The user's token version at issue; a bump invalidates the token.
    pub ver: i32,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenKeys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    pub fn issue(&self, user_id: Uuid, role: &str, version: i32, ttl: std::time::Duration) -> anyhow::Result<String> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: user_id,
            iat: now,
            exp: now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
            role: role.to_owned(),
            ver: version,
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// Validates signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

/// A new refresh token: 256 random bits, base64url. Only its hash is stored.
pub fn new_refresh_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const KEY: &[u8] = b"q8F2mZr7LxP0vW4nK9sT1yB6hD3jG5cAq8F2mZr7";

    #[test]
    fn round_trip() {
        let keys = TokenKeys::new(KEY);
        let id = Uuid::new_v4();
        let token = keys.issue(id, "learner", 3, Duration::from_secs(60)).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!(claims.ver, 3);
    }

    #[test]
    fn other_keys_and_expired_tokens_fail() {
        let keys = TokenKeys::new(KEY);
        let other = TokenKeys::new(b"another-key-another-key-another-key-0123456789");
        let token = other.issue(Uuid::new_v4(), "admin", 0, Duration::from_secs(60)).unwrap();
        assert!(keys.verify(&token).is_none());
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: Uuid::new_v4(),
            iat: now - 3600,
            exp: now - 1800,
            role: "learner".into(),
            ver: 0,
        };
        let expired =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(KEY)).unwrap();
        assert!(keys.verify(&expired).is_none());
    }

    #[test]
    fn alg_none_fails() {
        let keys = TokenKeys::new(KEY);
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let body = URL_SAFE_NO_PAD.encode(
            format!(r#"{{"iss":"studytrack","aud":"studytrack-api","sub":"{}","iat":{now},"exp":{},"role":"admin","ver":0}}"#, Uuid::new_v4(), now + 600)
                .as_bytes(),
        );
        assert!(keys.verify(&format!("{header}.{body}.")).is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(ha.len(), 32);
        assert_eq!(hash_refresh_token(&a), ha);
    }
}
