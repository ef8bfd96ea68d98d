//! Handlers for the caller's account.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::model::parse_display_name;
use crate::auth::model::{Account, TokenResponse};
use crate::auth::service::{Lineage, issue_session, reserve};
use crate::auth::store::{self, SessionExport, UserRow};
use crate::auth::{AuthUser, password, throttle};
use crate::error::{ApiError, FieldError};
use crate::openapi::responses::WrongPassword;
use crate::progress::activity;
use crate::progress::store::{self as progress_store, QuestionMarkExport, TopicMarkExport};
use crate::state::AppState;
use crate::web::client_address::ClientAddress;

/// Fields a client may never set on an account, named so the 422 can say so.
const PROTECTED_FIELDS: [&str; 7] = ["id", "user_id", "role", "email_verified", "created_at", "email", "password"];

/// Changes to the caller's account. Only `display_name`, `timezone`,
/// `desired_retention` and `new_cards_per_day` can change here (absent fields stay as
/// they are); trying to set `role`, `email_verified`, ids or anything else is a 422 naming
/// each field.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"display_name": "Ann L.", "timezone": "Europe/Berlin"}))]
pub struct UpdateAccount {
    /// 1 to 80 characters with at least one visible one; control characters are
    /// dropped and surrounding space trimmed.
    #[schema(min_length = 1, max_length = 80, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub display_name: Option<String>,
    /// An IANA time zone name such as `Europe/Berlin`.
    #[schema(max_length = 64)]
    pub timezone: Option<String>,
    /// Target recall probability for flashcards, 0.7 to 0.97 (default 0.9).
    #[schema(minimum = 0.7, maximum = 0.97)]
    pub desired_retention: Option<f64>,
    /// New flashcards offered per day, 0 to 500 (default 20).
    #[schema(minimum = 0, maximum = 500)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub new_cards_per_day: Option<i64>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery staple", "new_password": "tangerine orbit forty-two"}))]
pub struct ChangePassword {
    #[schema(value_type = String, format = "password")]
    pub current_password: SecretString,
    #[schema(value_type = String, format = "password")]
    pub new_password: SecretString,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct DeleteAccount {
    /// The current password, to confirm.
    #[schema(value_type = String, format = "password")]
    pub password: SecretString,
}

/// Everything stored about the caller, in one document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "exported_at": "2026-11-24T12:00:00Z",
    "account": {
        "id": "3c37e844-4907-4f4e-a1cc-88c23fbc5cb2", "email": "ann@example.com", "display_name": "Ann",
        "role": "learner", "email_verified": false, "created_at": "2026-11-01T09:00:00Z",
        "timezone": "Europe/Berlin", "desired_retention": 0.9, "new_cards_per_day": 20
    },
    "sessions": [{
        "family_id": "0c64a701-d502-4d92-b9e3-b4d96d5b2bb8", "started_at": "2026-11-01T09:00:00Z",
        "last_refreshed_at": "2026-11-24T11:45:00Z", "active": true, "user_agent": "StudyApp/2.3 (iOS 18)"
    }],
    "question_marks": [{
        "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus", "status": "got_it",
        "marked_at": "2026-11-20T18:30:00Z", "retired": false
    }],
    "topic_marks": [{
        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "status": "done",
        "marked_at": "2026-11-21T19:00:00Z", "retired": false
    }],
    "activity_count": 57
}))]
pub struct AccountExport {
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    pub account: Account,
    /// Login sessions (refresh-token families); tokens themselves are never exported.
    pub sessions: Vec<SessionExport>,
    /// Question marks, including those on content since retired.
    pub question_marks: Vec<QuestionMarkExport>,
    /// Topic marks, including those on content since retired.
    pub topic_marks: Vec<TopicMarkExport>,
    /// Number of recorded activities (marks, quizzes, reviews).
    pub activity_count: i64,
}

/// Get the caller's account.
///
/// Profile and study settings (`timezone`, `desired_retention`, `new_cards_per_day`)
/// of the account the bearer token belongs to. Change them with `PATCH /me`.
#[utoipa::path(
    tag = "account",
    operation_id = "get_me",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Account),
    )
)]
#[get("/me")]
pub async fn get_me(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let row = crate::auth::service::current_account(&state.db, user.id).await?;
    Ok(crate::web::private_ok().json(row.account()))
}

/// Update the caller's account.
///
/// Changes `display_name`, `timezone` (IANA name; activity days and streaks follow
/// it), `desired_retention` and `new_cards_per_day` (flashcard scheduling). Attempts to
/// set protected fields (`role`, `email_verified`, ids, ...) or unknown fields are
/// rejected with 422, never ignored; so is a `timezone` the server's time zone
/// database does not know.
#[utoipa::path(
    tag = "account",
    operation_id = "update_me",
    security(("bearer_auth" = [])),
    request_body = UpdateAccount,
    responses(
        (status = 200, description = "The updated account", body = Account),
    )
)]
#[patch("/me")]
pub async fn update_me(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<UpdateAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
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
    let row = store::update_profile(&state.db, user.id, name.as_deref(), timezone, retention, cap)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    Ok(crate::web::private_ok().json(row.account()))
}

/// Change the caller's password.
///
/// Needs the current password: a wrong one is a 403 (the session stays valid; do not
/// refresh or log out on it). Wrong ones count as failed logins of the account: past
/// that budget the answer is 429 with `Retry-After`. The new password follows the registration policy (422
/// naming `new_password` otherwise). Ends every session of the account (all refresh
/// tokens revoked, all access tokens invalid) and returns a fresh token pair for this one.
#[utoipa::path(
    tag = "account",
    operation_id = "change_password",
    security(("bearer_auth" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Password changed; a new token pair for this session", body = TokenResponse),
        (status = 403, response = inline(WrongPassword)),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    client: ClientAddress,
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let row = crate::auth::service::current_account(&state.db, user.id).await?;
    confirm_password(&state, &row, body.current_password, "current_password").await?;
    password::check_policy(body.new_password.expose_secret(), &row.email)
        .map_err(|m| ApiError::invalid("new_password", m))?;
    let hash = state.hasher.hash(body.new_password).await?;
    let mut tx = state.db.begin().await?;
    let version = store::set_password(&mut tx, user.id, &hash).await?;
    let tokens = issue_session(
        &state,
        &mut tx,
        &row,
        version,
        Lineage::NewSession,
        crate::web::user_agent(&req).as_deref(),
        &client,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::no_store(actix_web::http::StatusCode::OK).json(&tokens))
}

/// Delete the caller's account.
///
/// Needs the password: a wrong one is a 403 and changes nothing; wrong ones count as
/// failed logins of the account, and past that budget the answer is 429 with
/// `Retry-After`. Removes the account
/// and everything that belongs to it; its tokens stop working at once. Content is not
/// affected.
#[utoipa::path(
    tag = "account",
    operation_id = "delete_me",
    security(("bearer_auth" = [])),
    request_body = DeleteAccount,
    responses(
        (status = 204, description = "Account and all its data deleted"),
        (status = 403, response = inline(WrongPassword)),
    )
)]
#[delete("/me")]
pub async fn delete_me(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<DeleteAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let row = crate::auth::service::current_account(&state.db, user.id).await?;
    confirm_password(&state, &row, body.password, "password").await?;
    store::delete(&state.db, user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Export everything stored about the caller.
///
/// One JSON document with the account and its sessions (and, as they exist, progress,
/// quiz history and reviews), for portability.
#[utoipa::path(
    tag = "account",
    operation_id = "export_me",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's data", body = AccountExport),
    )
)]
#[get("/me/export")]
pub async fn export_me(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let row = crate::auth::service::current_account(&state.db, user.id).await?;
    let activity_count = crate::progress::activity::count(&state.db, user.id).await?;
    let export = AccountExport {
        exported_at: OffsetDateTime::now_utc(),
        account: row.account(),
        sessions: store::sessions(&state.db, user.id).await?,
        question_marks: progress_store::export_question_marks(&state.db, user.id).await?,
        topic_marks: progress_store::export_topic_marks(&state.db, user.id).await?,
        activity_count,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .insert_header(("content-disposition", "attachment; filename=\"studytrack-export.json\""))
        .json(export))
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
