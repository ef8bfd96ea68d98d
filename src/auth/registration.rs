//! Verification-first registration: `POST /auth/register` answers 202 the same way
//! whatever the address, and mails either a link that finishes the sign-up or, when
//! the address already has an account, a note to its owner. `POST /auth/register/confirm`
//! turns the sign-up behind a link into an account and logs it in.
//!
//! Both branches do the same work (hash the password, render a mail, write one row
//! and one outbox job in a transaction), so the answer's timing does not tell them
//! apart either.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::email::Email;
use super::model::parse_display_name;
use super::model::{RegisterRequest, Role, TokenResponse};
use super::recovery::mailed_token_hash;
use super::service::{Lineage, issue_session, reserve};
use super::{password, pending, store, throttle};
use crate::error::{ApiError, FieldError};
use crate::mail::Mail;
use crate::proxy::ClientAddress;
use crate::security::tokens;
use crate::state::AppState;

/// Sign-ups mailed to one address per hour: enough for a lost mail or two, too few
/// to flood someone's inbox through the form.
const PER_EMAIL: u32 = 5;

pub const ACCEPTED: &str = "check your inbox: the link we sent finishes signing up";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q0VYgk2m1Jtq9b4u0dH3yQx8fZr6LwS2pN7cA5eK1oM"}))]
pub struct ConfirmRegistration {
    /// The `token` parameter of the mailed link.
    #[schema(value_type = String, max_length = 200)]
    pub token: SecretString,
}

/// Records a sign-up, or tells the address's owner someone tried: the caller cannot
/// tell which (the answer and its timing are the same).
pub async fn register(state: &AppState, client: &ClientAddress, body: RegisterRequest) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&body.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let name = parse_display_name(&body.display_name).map_err(|m| errors.push(FieldError::new("display_name", m))).ok();
    if let Err(m) =
        password::check_policy(body.password.expose_secret(), email.as_ref().map_or("", |e| e.normalized.as_str()))
    {
        errors.push(FieldError::new("password", m));
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(ApiError::Validation { detail: "the registration is invalid".to_owned(), errors });
    };

    let address = client.key_text();
    let hour = std::time::Duration::from_secs(3600);
    // Every sign-up counts, whatever its outcome: nothing to refund.
    let _counted = reserve(
        state,
        &[
            throttle::Budget {
                bucket: throttle::REGISTER_ADDRESS,
                key: &address,
                max: state.settings.registrations_per_address,
                window: hour,
            },
            throttle::Budget { bucket: throttle::REGISTER_EMAIL, key: &email.normalized, max: PER_EMAIL, window: hour },
        ],
    )
    .await?;

    // Hashed in both branches, so both take the hasher's time.
    let password_hash = state.hasher.hash(body.password).await?;
    let settings = &state.settings;
    let owner = store::by_email(&state.db, &email.normalized).await?;
    let mut tx = state.db.begin().await?;
    match owner {
        Some(owner) => {
            // The owner hears of it; a disabled account is told nothing.
            if owner.disabled_at.is_none() {
                let context = serde_json::json!({
                    "display_name": owner.display_name,
                    "link": format!("{}/forgot-password", settings.app_url),
                });
                Mail::render(&owner.email, "Someone tried to sign up with your address", "signup_attempt", &context)
                    .map_err(ApiError::Internal)?
                    .queue(&mut tx)
                    .await?;
            }
        }
        None => {
            let ttl = settings.verify_token_ttl;
            let (token, token_hash) = tokens::new_refresh_token();
            let context = serde_json::json!({
                "display_name": name,
                "link": format!("{}/verify-email?token={token}", settings.app_url),
                "hours": ttl.as_secs() / 3600,
            });
            let mail =
                Mail::render(&email.display, "Finish signing up for studytrack", "verify_registration", &context)
                    .map_err(ApiError::Internal)?;
            let pending = pending::NewPending {
                token_hash: &token_hash,
                email: &email.display,
                normalized: &email.normalized,
                display_name: &name,
                password_hash: &password_hash,
                expires_at: state.clock.now() + ttl,
            };
            pending::insert(&mut tx, pending).await?;
            mail.queue(&mut tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Makes the account a mailed sign-up link stands for and opens its first session.
pub async fn confirm(
    state: &AppState,
    client: &ClientAddress,
    user_agent: Option<&str>,
    body: ConfirmRegistration,
) -> Result<TokenResponse, ApiError> {
    let invalid = || {
        ApiError::BadRequest(
            "the sign-up link is invalid, expired or already used; log in, or sign up again".to_owned(),
        )
    };
    let token_hash = mailed_token_hash(&body.token).ok_or_else(invalid)?;
    let mut tx = state.db.begin().await?;
    // Taken here, atomically: of two confirmations racing with one link, one wins.
    let signup = pending::take(&mut tx, &token_hash, state.clock.now()).await?.ok_or_else(invalid)?;
    let account = store::NewAccount {
        email: &signup.email,
        normalized: &signup.email_normalized,
        display_name: &signup.display_name,
        password_hash: &signup.password_hash,
        role: Role::Learner,
        email_verified: true,
    };
    let user = store::insert(&mut *tx, account).await?.ok_or_else(invalid)?;
    pending::discard_for(&mut tx, &signup.email_normalized).await?;
    let tokens =
        issue_session(state, &mut tx, &user, user.token_version, Lineage::NewSession, user_agent, client).await?;
    tx.commit().await?;
    Ok(tokens)
}
