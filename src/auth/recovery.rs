//! Password reset by mail: `POST /auth/password-reset` mails a single-use link,
//! `POST /auth/password-reset/confirm` sets the new password with its token.
//!
//! The request always answers 202 the same way, so it does not tell whether an
//! address has an account. Tokens are 256 random bits, stored only as SHA-256, bound
//! to one account and the reset purpose, and expire (an hour by default); any token
//! that is unknown, expired, used or meant for something else gets one uniform 400.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::service::reserve;
use super::{email, password, store, throttle};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::proxy::ClientAddress;
use crate::security::tokens;
use crate::state::AppState;

use super::mailed_link::{self, RESET_PASSWORD};

const PURPOSE: &str = RESET_PASSWORD.name;
/// Reset requests per account and per client address per hour.
const PER_ACCOUNT: u32 = 3;
const PER_ADDRESS: u32 = 10;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ann@example.com"}))]
pub struct PasswordResetRequest {
    #[schema(format = "email", max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q0VYgk2m1Jtq9b4u0dH3yQx8fZr6LwS2pN7cA5eK1oM", "new_password": "tangerine orbit forty-two"}))]
pub struct PasswordResetConfirm {
    /// The `token` parameter of the mailed link.
    #[schema(value_type = String, max_length = 200)]
    pub token: SecretString,
    /// Follows the registration policy.
    #[schema(value_type = String, format = "password", min_length = 8, max_length = 1024)]
    pub new_password: SecretString,
}

/// The stored form (SHA-256) of a token from a mailed link, or `None` for a string
/// no link of ours can carry.
pub fn mailed_token_hash(token: &SecretString) -> Option<Vec<u8>> {
    let token = token.expose_secret();
    (!token.is_empty() && token.len() <= 200).then(|| tokens::hash_refresh_token(token))
}

/// Mails a reset link when the address has a (usable) account; nothing otherwise.
pub async fn request_reset(
    state: &AppState,
    client: &ClientAddress,
    body: PasswordResetRequest,
) -> Result<(), ApiError> {
    // The same address rules as registration: a malformed address is a 422 (it says
    // nothing about which addresses have accounts).
    let account_key = email::Email::parse(&body.email).map_err(|m| ApiError::invalid("email", m))?.normalized;
    let address = client.key_text();
    let hour = std::time::Duration::from_secs(3600);
    let _counted = reserve(
        state,
        &[
            throttle::Budget { bucket: throttle::RESET_ACCOUNT, key: &account_key, max: PER_ACCOUNT, window: hour },
            throttle::Budget { bucket: throttle::RESET_ADDRESS, key: &address, max: PER_ADDRESS, window: hour },
        ],
    )
    .await?;
    if let Some(user) = store::by_email(&state.db, &account_key).await?
        && user.disabled_at.is_none()
    {
        let ttl = state.settings.reset_token_ttl;
        let mut tx = state.db.begin().await?;
        let expires_at = state.clock.now() + ttl;
        let link = mailed_link::Link { purpose: RESET_PASSWORD, user_id: user.user_id, new_email: None, expires_at };
        let url = mailed_link::issue(&mut tx, &state.settings.app_url, link).await?;
        let context = serde_json::json!({
            "display_name": user.display_name, "link": url, "minutes": ttl.as_secs() / 60,
        });
        Mail::render(&user.email, "Reset your studytrack password", "reset_password", &context)
            .map_err(ApiError::Internal)?
            .queue(&mut tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Sets the new password a mailed reset link allows, once, ending every session.
pub async fn confirm_reset(state: &AppState, body: PasswordResetConfirm) -> Result<(), ApiError> {
    let invalid =
        || ApiError::BadRequest("the reset link is invalid, expired or already used; ask for a new one".into());
    let hash = mailed_token_hash(&body.token).ok_or_else(invalid)?;
    let now = state.clock.now();
    let found = store::find_email_token(&state.db, &hash, PURPOSE).await?.ok_or_else(invalid)?;
    if found.used_at.is_some() || found.expires_at <= now {
        return Err(invalid());
    }
    let user = store::by_id(&state.db, found.user_id).await?.filter(|u| u.disabled_at.is_none()).ok_or_else(invalid)?;
    password::check_policy(body.new_password.expose_secret(), &email::normalize(&user.email))
        .map_err(|m| ApiError::invalid("new_password", m))?;
    let password_hash = state.hasher.hash(body.new_password).await?;
    let notice = Mail::render(
        &user.email,
        "Your studytrack password was changed",
        "password_changed",
        &serde_json::json!({"display_name": user.display_name, "app_url": state.settings.app_url}),
    )
    .map_err(ApiError::Internal)?;

    let mut tx = state.db.begin().await?;
    // Consumed here, atomically: of two confirmations racing with one token, one wins.
    let Some((user_id, _)) = store::consume_email_token(&mut tx, &hash, PURPOSE, now).await? else {
        return Err(invalid());
    };
    store::set_password(&mut tx, user_id, &password_hash).await?;
    store::revoke_email_tokens(&mut tx, user_id, PURPOSE, now).await?;
    store::mark_email_verified(&mut tx, user_id).await?;
    notice.queue(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
