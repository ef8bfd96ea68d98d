//! Handlers for the caller's account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::email_change::{self, EmailChangeConfirm, EmailChangeRequest};
use super::email_verification::{self, EmailVerificationConfirm};
use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::auth::model::{Accepted, Account, TokenResponse};
use crate::error::ApiError;
use crate::openapi::responses::{Conflict, TooManyRequests, WrongPassword};
use crate::state::AppState;
use crate::web::client_address::ClientAddress;
use crate::web::no_store;

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
#[get("")]
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
#[patch("")]
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
#[post("/password")]
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
#[delete("")]
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
#[get("/export")]
pub async fn export_me(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let export = service::export(&state, user.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .insert_header(("content-disposition", "attachment; filename=\"studytrack-export.json\""))
        .json(export))
}

/// Ask for a link that verifies the account's address.
///
/// For accounts made before sign-ups were verified by mail (`email_verified: false`):
/// a link valid for 24 hours (`STUDYTRACK_VERIFY_TOKEN_TTL_SECS`) goes to the account's
/// address, `STUDYTRACK_APP_URL/verify-address?token=...`. 409 when the address is
/// verified already; 3 requests an hour per account (429 past that).
#[utoipa::path(
    tag = "account",
    operation_id = "request_email_verification",
    security(("bearer_auth" = [])),
    responses(
        (status = 202, description = "A link is on its way to the account's address", body = Accepted),
        (status = 409, response = inline(Conflict)),
        (status = 429, response = inline(TooManyRequests)),
    )
)]
#[post("/email/verification")]
pub async fn request_email_verification(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    email_verification::request(&state, user.id).await?;
    Ok(no_store(StatusCode::ACCEPTED).json(Accepted::new("a verification link is on its way to your address")))
}

/// Verify the account's address with the mailed token.
///
/// No login needed (the link may be opened on another device). The token works once
/// and only for the address it was mailed to: if the account's address changed since,
/// or the token is unknown, expired, used or for another purpose, the answer is one
/// uniform 400.
#[utoipa::path(
    tag = "auth",
    operation_id = "confirm_email_verification",
    security(()),
    request_body = EmailVerificationConfirm,
    responses(
        (status = 204, description = "The address is verified"),
    )
)]
#[post("/email-verification/confirm")]
pub async fn confirm_email_verification(
    state: web::Data<AppState>,
    body: web::Json<EmailVerificationConfirm>,
) -> Result<HttpResponse, ApiError> {
    email_verification::confirm(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ask to move the account to another address.
///
/// Needs the current password (403 when wrong; wrong ones count as failed logins, so
/// 429 past that budget). Always 202 with the same body: a link valid for an hour goes
/// to the new address unless another account has it, and a notice goes to the current
/// address. Nothing changes until the link is followed.
#[utoipa::path(
    tag = "account",
    operation_id = "request_email_change",
    security(("bearer_auth" = [])),
    request_body = EmailChangeRequest,
    responses(
        (status = 202, description = "Accepted; a confirmation link is mailed to the new address", body = Accepted),
        (status = 403, response = inline(WrongPassword)),
    )
)]
#[post("/email")]
pub async fn request_email_change(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<EmailChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    email_change::request(&state, user.id, body.into_inner()).await?;
    Ok(no_store(StatusCode::ACCEPTED).json(Accepted::new("a confirmation link is on its way to the new address")))
}

/// Confirm a change of address with the mailed token.
///
/// No login needed: the token proves the new mailbox. The account moves to the new
/// address, which counts as verified, and the old address is told. The token works
/// once; an unknown, expired, used or wrong-purpose token is one uniform 400, and 409
/// when another account took the address in the meantime.
#[utoipa::path(
    tag = "auth",
    operation_id = "confirm_email_change",
    security(()),
    request_body = EmailChangeConfirm,
    responses(
        (status = 204, description = "The account uses the new address"),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/email-change/confirm")]
pub async fn confirm_email_change(
    state: web::Data<AppState>,
    body: web::Json<EmailChangeConfirm>,
) -> Result<HttpResponse, ApiError> {
    email_change::confirm(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
