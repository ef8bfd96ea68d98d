//! Changing the account's address: `POST /me/email` (signed in, with the current
//! password) mails a confirmation link to the new address and a notice to the old
//! one; nothing changes until the link is followed (`POST /auth/email-change/confirm`,
//! which needs no login: the link may be opened on another device).
//!
//! An access token alone cannot move the account away from its owner: the current
//! password is required (and throttled like a login), and the old address hears of
//! the request and of the change. Whether the new address already has an account is
//! not revealed: the answer is the same, and no link is sent to a taken address.

use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::confirm_password;
use crate::auth::email::{self, Email};
use crate::auth::recovery::mailed_token_hash;
use crate::auth::store;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::state::AppState;

use crate::auth::mailed_link::{self, CHANGE_EMAIL};

const PURPOSE: &str = CHANGE_EMAIL.name;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_email": "ann.lee@example.org", "password": "correct horse battery staple"}))]
pub struct EmailChangeRequest {
    #[schema(format = "email", max_length = 254)]
    pub new_email: String,
    /// The current password, to confirm.
    #[schema(value_type = String, format = "password")]
    pub password: SecretString,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q0VYgk2m1Jtq9b4u0dH3yQx8fZr6LwS2pN7cA5eK1oM"}))]
pub struct EmailChangeConfirm {
    /// The `token` parameter of the link mailed to the new address.
    #[schema(value_type = String, max_length = 200)]
    pub token: SecretString,
}

/// Mails a confirmation link to the new address (unless taken) and a notice to the
/// current one, after confirming the password.
pub async fn request(state: &AppState, user_id: Uuid, body: EmailChangeRequest) -> Result<(), ApiError> {
    let new = Email::parse(&body.new_email).map_err(|m| ApiError::invalid("new_email", m))?;
    let row = crate::auth::service::current_account(&state.db, user_id).await?;
    if new.normalized == email::normalize(&row.email) {
        return Err(ApiError::invalid("new_email", "is already this account's address"));
    }
    confirm_password(state, &row, body.password, "password").await?;
    let taken = store::by_email(&state.db, &new.normalized).await?.is_some();
    let ttl = state.settings.reset_token_ttl;
    let settings = &state.settings;
    let notice = Mail::render(
        &row.email,
        "A change of your studytrack address was requested",
        "email_change_notice",
        &serde_json::json!({"display_name": row.display_name, "new_email": new.display, "done": false, "app_url": settings.app_url}),
    )
    .map_err(ApiError::Internal)?;
    let mut tx = state.db.begin().await?;
    if !taken {
        let expires_at = state.clock.now() + ttl;
        let link = mailed_link::Link { purpose: CHANGE_EMAIL, user_id, new_email: Some(&new.display), expires_at };
        let url = mailed_link::issue(&mut tx, &settings.app_url, link).await?;
        Mail::render(
            &new.display,
            "Confirm your new studytrack address",
            "confirm_email_change",
            &serde_json::json!({"display_name": row.display_name, "link": url, "minutes": ttl.as_secs() / 60}),
        )
        .map_err(ApiError::Internal)?
        .queue(&mut tx)
        .await?;
    }
    notice.queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the account to the address a mailed link confirms, once, and tells the old one.
pub async fn confirm(state: &AppState, body: EmailChangeConfirm) -> Result<(), ApiError> {
    let invalid = || ApiError::BadRequest("the link is invalid, expired or already used".into());
    let hash = mailed_token_hash(&body.token).ok_or_else(invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((user_id, Some(new_email))) = store::consume_email_token(&mut tx, &hash, PURPOSE, now).await? else {
        return Err(invalid());
    };
    let old = store::by_id(&mut *tx, user_id).await?.filter(|u| u.disabled_at.is_none()).ok_or_else(invalid)?;
    if !store::change_email(&mut tx, user_id, &new_email, &email::normalize(&new_email)).await? {
        return Err(ApiError::Conflict("another account uses this address now".into()));
    }
    store::revoke_email_tokens(&mut tx, user_id, PURPOSE, now).await?;
    // A verification link mailed to the old address must not vouch for the new one.
    store::revoke_email_tokens(&mut tx, user_id, mailed_link::VERIFY_EMAIL.name, now).await?;
    let notice = Mail::render(
        &old.email,
        "Your studytrack address was changed",
        "email_change_notice",
        &serde_json::json!({"display_name": old.display_name, "new_email": new_email, "done": true, "app_url": state.settings.app_url}),
    )
    .map_err(ApiError::Internal)?;
    notice.queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
