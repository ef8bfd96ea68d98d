//! Verifying the current address of an account made before verification-first
//! registration (those keep working unverified): `POST /me/email/verification`
//! mails a single-use link to the account's address, `POST /auth/email-verification/confirm`
//! marks it verified. New accounts never need this: following the sign-up link made
//! them verified.

use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::recovery::mailed_token_hash;
use crate::auth::service::reserve;
use crate::auth::{store, throttle};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::state::AppState;

use crate::auth::mailed_link::{self, VERIFY_EMAIL};

const PURPOSE: &str = VERIFY_EMAIL.name;
/// Verification mails per account an hour: a lost mail or two, not an inbox flood.
const PER_ACCOUNT: u32 = 3;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q0VYgk2m1Jtq9b4u0dH3yQx8fZr6LwS2pN7cA5eK1oM"}))]
pub struct EmailVerificationConfirm {
    /// The `token` parameter of the mailed link.
    #[schema(value_type = String, max_length = 200)]
    pub token: SecretString,
}

/// Mails a verification link to the account's address, unless it is verified already.
pub async fn request(state: &AppState, user_id: Uuid) -> Result<(), ApiError> {
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    if account.email_verified {
        return Err(ApiError::Conflict("the address is verified already".to_owned()));
    }
    let key = user_id.to_string();
    let hour = std::time::Duration::from_secs(3600);
    let _counted = reserve(
        state,
        &[throttle::Budget { bucket: throttle::VERIFY_ACCOUNT, key: &key, max: PER_ACCOUNT, window: hour }],
    )
    .await?;
    let ttl = state.settings.verify_token_ttl;
    let mut tx = state.db.begin().await?;
    let expires_at = state.clock.now() + ttl;
    let link = mailed_link::Link { purpose: VERIFY_EMAIL, user_id, new_email: None, expires_at };
    let url = mailed_link::issue(&mut tx, &state.settings.app_url, link).await?;
    let context = serde_json::json!({"display_name": account.display_name, "link": url, "hours": ttl.as_secs() / 3600});
    Mail::render(&account.email, "Verify your studytrack address", "verify_address", &context)
        .map_err(ApiError::Internal)?
        .queue(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks the address verified with a mailed link, once.
pub async fn confirm(state: &AppState, body: EmailVerificationConfirm) -> Result<(), ApiError> {
    let invalid = || ApiError::BadRequest("the link is invalid, expired or already used".into());
    let hash = mailed_token_hash(&body.token).ok_or_else(invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((user_id, _)) = store::consume_email_token(&mut tx, &hash, PURPOSE, now).await? else {
        return Err(invalid());
    };
    store::mark_email_verified(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(())
}
