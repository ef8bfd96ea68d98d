//! Handlers for the caller's account.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::auth::model::{Account, TokenResponse};
use crate::error::ApiError;
use crate::openapi::responses::WrongPassword;
use crate::state::AppState;
use crate::web::client_address::ClientAddress;

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
    let account = service::update(&state, user.id, body.into_inner()).await?;
    Ok(crate::web::private_ok().json(account))
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
    let user_agent = crate::web::user_agent(&req);
    let tokens = service::change_password(&state, user.id, body.into_inner(), user_agent.as_deref(), &client).await?;
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
    service::delete(&state, user.id, body.into_inner()).await?;
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
    let export = service::export(&state, user.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .insert_header(("content-disposition", "attachment; filename=\"studytrack-export.json\""))
        .json(export))
}
