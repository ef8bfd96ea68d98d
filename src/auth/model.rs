//! Request and response bodies of the auth and account endpoints.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::secret::IssuedSecret;

/// What a user may do: learners study; editors also write drafts and submit change
/// sets for review; admins also approve and publish, and manage users, tokens and
/// webhooks.
// Stored as text in `app_user.role`, which a CHECK constraint keeps to these values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    Learner,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "learner" => Some(Role::Learner),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Registration. Only these fields are accepted; anything else (such as `role`) is a 422.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ann@example.com", "password": "correct horse battery staple", "display_name": "Ann"}))]
pub struct RegisterRequest {
    /// Compared case-insensitively (and after Unicode NFKC normalisation).
    #[schema(format = "email", max_length = 254)]
    pub email: String,
    /// 8 characters to 1024 bytes (UTF-8), without NUL, not one of the 20,000 most
    /// common passwords and not the email address (422 naming `password` otherwise).
    #[schema(value_type = String, min_length = 8, max_length = 1024, format = "password", pattern = r"^[^\x00]*$")]
    pub password: SecretString,
    /// 1 to 80 characters with at least one visible one; control characters are
    /// dropped and surrounding space trimmed.
    #[schema(min_length = 1, max_length = 80, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub display_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ann@example.com", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    /// No NUL characters (422 naming the body): no address can hold one.
    #[schema(max_length = 254, pattern = r"^[^\x00]*$")]
    pub email: String,
    #[schema(value_type = String, max_length = 1024, format = "password")]
    pub password: SecretString,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q0VYgk2m1Jtq9b4u0dH3yQx8fZr6LwS2pN7cA5eK1oM"}))]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh; it is single-use.
    #[schema(value_type = String)]
    pub refresh_token: SecretString,
}

/// The caller's account.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "email": "ann@example.com", "display_name": "Ann",
    "role": "learner", "email_verified": false, "created_at": "2026-11-24T12:00:00Z", "timezone": "UTC",
    "desired_retention": 0.9, "new_cards_per_day": 20
}))]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// IANA time zone; activity days and streaks are counted in it.
    pub timezone: String,
    /// Target recall probability for flashcard scheduling, 0.7 to 0.97.
    pub desired_retention: f64,
    /// New flashcards offered per day, 0 to 500.
    pub new_cards_per_day: i32,
}

/// How to present the access token: always `Bearer` (`Authorization: Bearer ...`).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
pub enum TokenType {
    Bearer,
}

/// Tokens for a session. Refresh before `expires_in` runs out; on a 401, refresh once
/// and retry.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1ZjBjIn0.sig",
    "token_type": "Bearer", "expires_in": 900,
    "refresh_token": "q0VYgk2m1Jtq9b4u0dH3yQx8fZr6LwS2pN7cA5eK1oM", "refresh_expires_in": 2592000,
    "account": {"id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "email": "ann@example.com", "display_name": "Ann",
                "role": "learner", "email_verified": false, "created_at": "2026-11-24T12:00:00Z", "timezone": "UTC",
                "desired_retention": 0.9, "new_cards_per_day": 20}
}))]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer ...`.
    #[schema(value_type = String)]
    pub access_token: IssuedSecret,
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque, single-use; exchange at `POST /auth/refresh`.
    #[schema(value_type = String)]
    pub refresh_token: IssuedSecret,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    pub account: Account,
}

/// The answer to a request whose outcome is mailed, never shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"detail": "if the address has an account, a reset link is on its way"}))]
pub struct Accepted {
    /// What happens next, in words a person can read.
    pub detail: String,
}

impl Accepted {
    pub fn new(detail: &str) -> Self {
        Accepted { detail: detail.to_owned() }
    }
}

/// Longest display name accepted.
pub const MAX_DISPLAY_NAME: usize = 80;

/// Parses a display name: control characters are dropped (they have no place in a
/// name and can corrupt a terminal or log), surrounding space trimmed, then 1 to 80
/// characters must remain.
pub fn parse_display_name(raw: &str) -> Result<String, &'static str> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let name = cleaned.trim();
    if name.is_empty() {
        return Err("must hold at least one visible character");
    }
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err("must be at most 80 characters");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_bodies_never_print_secrets() {
        let register: RegisterRequest = serde_json::from_value(
            serde_json::json!({"email": "a@example.com", "password": "pw-register-4417", "display_name": "A"}),
        )
        .unwrap();
        let login: LoginRequest =
            serde_json::from_value(serde_json::json!({"email": "a@example.com", "password": "pw-login-5512"})).unwrap();
        let refresh: RefreshRequest =
            serde_json::from_value(serde_json::json!({"refresh_token": "rt-secret-9931"})).unwrap();
        let response = TokenResponse {
            access_token: IssuedSecret::new("at-secret-2208".into()),
            token_type: TokenType::Bearer,
            expires_in: 900,
            refresh_token: IssuedSecret::new("rt-issued-7710".into()),
            refresh_expires_in: 60,
            account: Account {
                id: Uuid::nil(),
                email: "a@example.com".into(),
                display_name: "A".into(),
                role: Role::Learner,
                email_verified: false,
                created_at: OffsetDateTime::UNIX_EPOCH,
                timezone: "UTC".into(),
                desired_retention: 0.9,
                new_cards_per_day: 20,
            },
        };
        let printed = format!("{register:?} {login:?} {refresh:?} {response:?} {response:#?}");
        for secret in ["pw-register-4417", "pw-login-5512", "rt-secret-9931", "at-secret-2208", "rt-issued-7710"] {
            assert!(!printed.contains(secret), "{secret} printed: {printed}");
        }
        // The one place a token is meant to appear: the response body sent to its owner.
        let body = serde_json::to_string(&response).unwrap();
        assert!(body.contains("at-secret-2208") && body.contains("rt-issued-7710"));
    }
}
