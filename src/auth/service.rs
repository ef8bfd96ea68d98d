//! Account and session use cases shared by the auth and account endpoints: the
//! caller's row, issuing a session (access and refresh token), and spending throttle
//! budgets. They answer in `ApiError` terms; the store below speaks only `sqlx`.

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{IssuedSecret, TokenResponse, TokenType};
use super::store::{self, UserRow};
use super::throttle;
use crate::error::ApiError;
use crate::security::tokens;
use crate::state::AppState;
use crate::web::client_address::ClientAddress;

/// The caller's own row; a 401 if the account was deleted since the token was checked.
pub async fn current_account(pool: &sqlx::PgPool, user_id: Uuid) -> Result<UserRow, ApiError> {
    store::by_id(pool, user_id).await?.ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))
}

/// Where a new refresh token sits in its session: a login's first starts a family, a
/// refresh's replaces its parent.
#[derive(Debug, Clone, Copy)]
pub enum Lineage {
    NewSession,
    Replaces { family_id: Uuid, parent_id: Uuid },
}

/// Issues an access token and a refresh token.
pub async fn issue_session(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    user: &UserRow,
    version: i32,
    lineage: Lineage,
    user_agent: Option<&str>,
    client: &ClientAddress,
) -> Result<TokenResponse, ApiError> {
    let settings = &state.settings;
    let access_token = state.tokens.issue(user.user_id, user.role.as_str(), version, settings.access_token_ttl)?;
    let (refresh_token, hash) = tokens::new_refresh_token();
    let expires_at = OffsetDateTime::now_utc() + settings.refresh_token_ttl;
    let (family_id, parent_id) = match lineage {
        Lineage::NewSession => (Uuid::new_v4(), None),
        Lineage::Replaces { family_id, parent_id } => (family_id, Some(parent_id)),
    };
    store::insert_refresh(
        conn,
        store::NewRefresh {
            user_id: user.user_id,
            family_id,
            parent_id,
            hash: &hash,
            expires_at,
            user_agent,
            client_key: &client.key_text(),
        },
    )
    .await?;
    Ok(TokenResponse {
        access_token: IssuedSecret::new(access_token),
        token_type: TokenType::Bearer,
        expires_in: settings.access_token_ttl.as_secs(),
        refresh_token: IssuedSecret::new(refresh_token),
        refresh_expires_in: settings.refresh_token_ttl.as_secs(),
        account: user.account(),
    })
}

/// Takes one attempt from each budget, or answers 429 with the wait when one is spent.
pub async fn reserve(state: &AppState, budgets: &[throttle::Budget<'_>]) -> Result<throttle::Reservation, ApiError> {
    match throttle::reserve(&state.db, budgets).await? {
        throttle::Outcome::Granted(reservation) => Ok(reservation),
        throttle::Outcome::Refused { bucket, retry_after_secs } => {
            tracing::warn!(bucket, "throttled");
            state.metrics.throttled(bucket);
            Err(ApiError::TooManyRequests { retry_after_secs })
        }
    }
}
