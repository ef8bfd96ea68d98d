//! Scoped API tokens: long-lived bearer credentials for scripts (a content pipeline
//! seeding a track from CI). A token acts as the admin or editor who made it, narrowed
//! to its scopes, and only in the admin API. Only the SHA-256 of the secret is stored;
//! the secret is shown once, at creation.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{Scope, Scopes};
use super::model::Role;
use super::service::current_account;
use crate::error::ApiError;

/// Every token starts with this, so a leaked one is recognisable (secret scanners) and
/// never mistaken for a JWT (which starts `eyJ`).
pub const PREFIX: &str = "stk_";

/// The token a request was authenticated with, carried with the caller so writes are
/// audited with the token (not only its owner) as the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenGrant {
    pub id: Uuid,
    pub scopes: Scopes,
}

/// Whether a bearer credential is an API token (rather than an access token).
pub fn is_api_token(bearer: &str) -> bool {
    bearer.starts_with(PREFIX)
}

/// A new token: the prefix and 256 random bits, base64url; and its hash.
pub fn new_secret() -> (String, Vec<u8>) {
    // The same 256 random bits as a refresh token; only the hash of the whole token
    // (prefix included) is kept.
    let (random, _) = crate::security::tokens::new_refresh_token();
    let token = format!("{PREFIX}{random}");
    let hash = hash(&token);
    (token, hash)
}

/// The hash a token is stored under.
pub fn hash(token: &str) -> Vec<u8> {
    crate::security::tokens::hash_refresh_token(token)
}

/// The live owner and grant of a token: 401 when it is unknown, revoked or expired
/// (at `now`), or its owner is disabled or no longer an editor or admin. Records the
/// use (at most once a minute per token, so a busy script does not write per request).
pub async fn authenticate(
    pool: &PgPool,
    token: &str,
    now: OffsetDateTime,
) -> Result<(Uuid, Role, i64, TokenGrant), ApiError> {
    let refused = || ApiError::Unauthorized("the API token is invalid, revoked or expired".into());
    let row = sqlx::query!(
        r#"SELECT token_id, owner_id, scopes FROM api_token
           WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"#,
        hash(token),
        now
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(refused)?;
    let owner = current_account(pool, row.owner_id).await?;
    if owner.disabled_at.is_some() || owner.role == Role::Learner {
        return Err(refused());
    }
    sqlx::query!(
        "UPDATE api_token SET last_used_at = $2
         WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')",
        row.token_id,
        now
    )
    .execute(pool)
    .await?;
    let scopes = Scopes::of(row.scopes.iter().filter_map(|s| Scope::parse(s)));
    Ok((owner.user_id, owner.role, owner.progress_version, TokenGrant { id: row.token_id, scopes }))
}
