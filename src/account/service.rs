//! The caller's account use cases: change the profile and study settings, change the
//! password (ending every other session), delete the account, export everything, and
//! the password confirmation the sensitive ones need.

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::*;
use crate::auth::model::{Account, TokenResponse, parse_display_name};
use crate::auth::service::{Lineage, issue_session, reserve};
use crate::auth::store::{self, UserRow};
use crate::auth::{password, throttle};
use crate::error::{ApiError, FieldError};
use crate::progress::activity;
use crate::progress::store as progress_store;
use crate::state::AppState;
use crate::web::client_address::ClientAddress;

/// Applies the changes a `PATCH /me` asks for, all or nothing (every bad field named).
pub async fn update(state: &AppState, user_id: Uuid, body: UpdateAccount) -> Result<Account, ApiError> {
    let mut errors: Vec<FieldError> = body
        .other
        .keys()
        .map(|field| {
            let message = if PROTECTED_FIELDS.contains(&field.as_str()) {
                "cannot be changed here"
            } else {
                "is not a field of the account"
            };
            FieldError::new(field.clone(), message)
        })
        .collect();
    let name = match body.display_name.as_deref().map(parse_display_name) {
        Some(Ok(name)) => Some(name),
        Some(Err(message)) => {
            errors.push(FieldError::new("display_name", message));
            None
        }
        None => None,
    };
    let timezone = body.timezone.as_deref().map(str::trim);
    if let Some(tz) = timezone
        && !activity::is_time_zone(&state.db, tz).await?
    {
        errors.push(FieldError::new("timezone", "is not an IANA time zone name (such as Europe/Berlin)"));
    }
    if body.desired_retention.is_some_and(|r| !(0.7..=0.97).contains(&r)) {
        errors.push(FieldError::new("desired_retention", "must be between 0.7 and 0.97"));
    }
    if body.new_cards_per_day.is_some_and(|n| !(0..=500).contains(&n)) {
        errors.push(FieldError::new("new_cards_per_day", "must be between 0 and 500"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation { detail: "the update is invalid".into(), errors });
    }
    let retention = body.desired_retention.map(|r| r as f32);
    let cap = body.new_cards_per_day.map(|n| n as i32);
    let row = store::update_profile(&state.db, user_id, name.as_deref(), timezone, retention, cap)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    Ok(row.account())
}

/// Changes the password after confirming the current one, ends every session and
/// opens a new one for this client.
pub async fn change_password(
    state: &AppState,
    user_id: Uuid,
    body: ChangePassword,
    user_agent: Option<&str>,
    client: &ClientAddress,
) -> Result<TokenResponse, ApiError> {
    let row = crate::auth::service::current_account(&state.db, user_id).await?;
    confirm_password(state, &row, body.current_password, "current_password").await?;
    password::check_policy(body.new_password.expose_secret(), &row.email)
        .map_err(|m| ApiError::invalid("new_password", m))?;
    let hash = state.hasher.hash(body.new_password).await?;
    let mut tx = state.db.begin().await?;
    let version = store::set_password(&mut tx, user_id, &hash).await?;
    let tokens = issue_session(state, &mut tx, &row, version, Lineage::NewSession, user_agent, client).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Deletes the account and everything that belongs to it, after confirming the password.
pub async fn delete(state: &AppState, user_id: Uuid, body: DeleteAccount) -> Result<(), ApiError> {
    let row = crate::auth::service::current_account(&state.db, user_id).await?;
    confirm_password(state, &row, body.password, "password").await?;
    store::delete(&state.db, user_id).await?;
    Ok(())
}

/// Everything stored about the caller.
pub async fn export(state: &AppState, user_id: Uuid) -> Result<AccountExport, ApiError> {
    let row = crate::auth::service::current_account(&state.db, user_id).await?;
    let activity_count = crate::progress::activity::count(&state.db, user_id).await?;
    let (notes, bookmarks) = crate::annotations::service::export(state, user_id).await?;
    let export = AccountExport {
        export_version: 2,
        exported_at: OffsetDateTime::now_utc(),
        account: row.account(),
        sessions: store::sessions(&state.db, user_id).await?,
        question_marks: progress_store::export_question_marks(&state.db, user_id).await?,
        topic_marks: progress_store::export_topic_marks(&state.db, user_id).await?,
        reviews: crate::review::store::export_reviews(&state.db, user_id).await?,
        quiz_attempts: crate::quiz::store::export_attempts(&state.db, user_id).await?,
        cold_answers: crate::interview::store::export_cold_answers(&state.db, user_id).await?,
        notes,
        bookmarks,
        activity_count,
    };
    Ok(export)
}

/// Checks the password given to confirm a sensitive change. Wrong ones count against
/// the account's failed-login budget (the same bucket as `POST /auth/login`), so a
/// stolen access token cannot be used to guess the password: past the budget the
/// answer is 429 with `Retry-After`, whatever the password.
pub(crate) async fn confirm_password(
    state: &AppState,
    row: &UserRow,
    given: SecretString,
    field: &str,
) -> Result<(), ApiError> {
    let key = crate::auth::email::normalize(&row.email);
    let budget = throttle::Budget {
        bucket: throttle::LOGIN_ACCOUNT,
        key: &key,
        max: state.settings.login_failures_per_account,
        window: state.settings.login_window,
    };
    // Spent before the check, like a login, so parallel guesses cannot share one count.
    let reservation = reserve(state, &[budget]).await?;
    let right = given.expose_secret().len() <= password::MAX_BYTES
        && state.hasher.verify(given, Some(row.password_hash.clone())).await?;
    if !right {
        return Err(wrong_password(field));
    }
    reservation.refund(&state.db, throttle::LOGIN_ACCOUNT).await?;
    Ok(())
}

/// The answer to a wrong password given to confirm a sensitive change.
///
/// 403, not 401: the bearer token is fine, and the documented client flow treats a 401
/// as "refresh, then log in again", which a typo in a confirmation field must not
/// trigger. Not 422 either: the input is well-formed; what fails is the proof of
/// identity, so the change is refused (authorization). The field is named in `detail`.
fn wrong_password(field: &str) -> ApiError {
    ApiError::Forbidden(format!("{field} is incorrect"))
}
