//! `/auth/*` sessions: login, refresh (rotation with reuse detection), logout. Sign-up is
//! in `registration.rs`, password reset in `recovery.rs`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use time::OffsetDateTime;

use super::extractor::AuthUser;
use secrecy::ExposeSecret;

use super::model::{Accepted, LoginRequest, RefreshRequest, RegisterRequest, TokenResponse};
use super::recovery::{self, PasswordResetConfirm, PasswordResetRequest};
use super::registration::{self, ConfirmRegistration};
use super::service::{Lineage, issue_session, reserve};
use super::store::{self};
use super::{password, throttle};
use crate::error::ApiError;
use crate::openapi::responses::{TooManyRequests, Unauthorized};
use crate::security::tokens;
use crate::state::AppState;
use crate::web::client_address::ClientAddress;
use crate::web::no_store;

/// Log in with email and password.
///
/// Returns a 15-minute access token and a 30-day single-use refresh token. A wrong
/// password and an unknown email get the same 401. After repeated failures for one
/// account or from one address the answer is 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 401, response = inline(Unauthorized)),
        (status = 429, response = inline(TooManyRequests)),
    )
)]
#[post("/login")]
pub async fn login(
    req: HttpRequest,
    client: ClientAddress,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.password.expose_secret().len() > password::MAX_BYTES {
        return Err(ApiError::invalid("password", format!("must be at most {} bytes", password::MAX_BYTES)));
    }
    if body.email.len() > super::email::MAX_LEN {
        return Err(ApiError::invalid("email", "must be at most 254 characters"));
    }
    let account_key = super::email::normalize(&body.email);
    let address = client.key_text();
    let settings = &state.settings;
    let window = settings.login_window;
    // The attempt is counted as a failure before the password is checked, so guesses
    // sent at once cannot all pass a count taken before any of them was recorded.
    let reservation = reserve(
        &state,
        &[
            throttle::Budget {
                bucket: throttle::LOGIN_ACCOUNT,
                key: &account_key,
                max: settings.login_failures_per_account,
                window,
            },
            throttle::Budget {
                bucket: throttle::LOGIN_ADDRESS,
                key: &address,
                max: settings.login_failures_per_address,
                window,
            },
        ],
    )
    .await?;

    let user = store::by_email(&state.db, &account_key).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.hasher.verify(body.password, hash).await?;
    let user = match user {
        Some(user) if verified && user.disabled_at.is_none() => user,
        // The reserved attempts stand as this failure.
        _ => return Err(ApiError::Unauthorized("the email or password is incorrect".to_owned())),
    };
    // Only failures count: a success clears its account and hands back the address's.
    throttle::clear(&state.db, throttle::LOGIN_ACCOUNT, &account_key).await?;
    reservation.refund(&state.db, throttle::LOGIN_ADDRESS).await?;
    let mut conn = state.db.acquire().await?;
    let tokens = issue_session(
        &state,
        &mut conn,
        &user,
        user.token_version,
        Lineage::NewSession,
        crate::web::user_agent(&req).as_deref(),
        &client,
    )
    .await?;
    Ok(crate::web::no_store(actix_web::http::StatusCode::OK).json(&tokens))
}

/// Exchange a refresh token for a new token pair.
///
/// Rotation: each refresh token works once and the response carries its successor.
/// Presenting a refresh token that was already used revokes its whole family (every
/// token descended from the same login), because it means the token was copied.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 401, response = inline(Unauthorized)),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    req: HttpRequest,
    client: ClientAddress,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let invalid = || ApiError::Unauthorized("the refresh token is invalid, expired or revoked".to_owned());
    if body.refresh_token.expose_secret().len() > 200 {
        return Err(invalid());
    }
    let hash = tokens::hash_refresh_token(body.refresh_token.expose_secret());
    let now = state.clock.now();
    // One connection for the whole exchange: a second one taken while this row is
    // locked would let a burst of refreshes hold every pooled connection and wait.
    let mut tx = state.db.begin().await?;
    let Some(row) = store::lock_refresh(&mut tx, &hash).await? else {
        return Err(invalid());
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    if let Some(used_at) = row.used_at {
        if !is_lost_answer_retry(&mut tx, &row, used_at, now, &client, &req, state.settings.refresh_grace).await? {
            // A rotated token came back: someone holds a copy. End the whole family.
            let revoked = store::revoke_family(&mut tx, row.family_id).await?;
            tx.commit().await?;
            tracing::warn!(family = %row.family_id, revoked, "refresh token reuse detected; family revoked");
            return Err(invalid());
        }
        tracing::info!(family = %row.family_id, "refresh retried within the grace period; its lost pair replaced");
    } else {
        store::mark_used(&mut tx, row.token_id, now).await?;
    }
    let user = store::by_id(&mut *tx, row.user_id).await?.ok_or_else(invalid)?;
    if user.disabled_at.is_some() {
        return Err(invalid());
    }
    let lineage = Lineage::Replaces { family_id: row.family_id, parent_id: row.token_id };
    let tokens = issue_session(
        &state,
        &mut tx,
        &user,
        user.token_version,
        lineage,
        crate::web::user_agent(&req).as_deref(),
        &client,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::no_store(actix_web::http::StatusCode::OK).json(&tokens))
}

/// Whether a refresh token presented again is the same client retrying because the
/// answer to its first exchange was lost (RFC 9700 §4.14.2 allows such a grace).
///
/// It is when all hold: the first exchange was at most `grace` ago; the pair it
/// produced was never used (using it proves the answer arrived); and the retry comes
/// from the same client address and user agent the pair was issued to. The lost pair
/// is then revoked, so one live branch remains. A thief racing the owner from
/// elsewhere fails the address check and the family is revoked as before; a thief on
/// the owner's own network with the same user agent, within the grace period, is
/// indistinguishable from a retry: that is the price of not stranding phones on bad
/// networks, and why the grace is short (30 s by default; 0 turns it off).
async fn is_lost_answer_retry(
    tx: &mut sqlx::PgConnection,
    row: &store::RefreshRow,
    used_at: OffsetDateTime,
    now: OffsetDateTime,
    client: &ClientAddress,
    req: &HttpRequest,
    grace: std::time::Duration,
) -> Result<bool, ApiError> {
    let elapsed = now - used_at;
    if grace.is_zero() || elapsed.is_negative() || elapsed > grace {
        return Ok(false);
    }
    let successors = store::live_successors(tx, row.token_id).await?;
    let [successor] = successors.as_slice() else { return Ok(false) };
    let same_client = successor.client_key.as_deref() == Some(client.key_text().as_str())
        && successor.user_agent == crate::web::user_agent(req);
    if successor.used_at.is_some() || !same_client {
        return Ok(false);
    }
    store::revoke(tx, successor.token_id).await?;
    Ok(true)
}

/// Log out this session.
///
/// Revokes the refresh token's family, so neither it nor any successor works again.
/// Always 204, whether or not the token was known (logging out twice is harmless).
/// Access tokens already issued expire on their own within 15 minutes; use
/// `logout-all` to end them at once.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out"),
    )
)]
#[post("/logout")]
pub async fn logout(state: web::Data<AppState>, body: web::Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    if body.refresh_token.expose_secret().len() <= 200 {
        let hash = tokens::hash_refresh_token(body.refresh_token.expose_secret());
        let mut tx = state.db.begin().await?;
        if let Some(row) = store::lock_refresh(&mut tx, &hash).await? {
            store::revoke_family(&mut tx, row.family_id).await?;
        }
        tx.commit().await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Log out everywhere.
///
/// Ends every session of the caller: all refresh tokens are revoked and every access
/// token already issued stops working immediately.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout_all",
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Every session ended"),
    )
)]
#[post("/logout-all")]
pub async fn logout_all(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut tx = state.db.begin().await?;
    store::end_all_sessions(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign up.
///
/// Always 202 with the same body for a valid form, whether or not the address has an
/// account, so the answer does not tell anyone who has one. A new address gets a link
/// that finishes signing up (`POST /auth/register/confirm`; it works once, for 24
/// hours by default); an address with an account gets a note saying someone tried,
/// with a way to reset the password. Until the link is followed there is no account:
/// nothing can log in, and the sign-up is deleted a day after its link expires. Every
/// new account is a learner; any field beyond `email`, `password` and `display_name`
/// is refused with 422. At most 20 sign-ups per client address and 5 per email
/// address an hour (429 with `Retry-After` past that).
#[utoipa::path(
    tag = "auth",
    operation_id = "register",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Accepted; the next step is in a mail to the address", body = Accepted,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 429, response = inline(TooManyRequests)),
    )
)]
#[post("/register")]
pub async fn register(
    client: ClientAddress,
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    registration::register(&state, &client, body.into_inner()).await?;
    Ok(no_store(StatusCode::ACCEPTED).json(Accepted::new(registration::ACCEPTED)))
}

/// Finish signing up with the mailed link.
///
/// Makes the account (its address verified) from the sign-up the link was mailed
/// for, with that sign-up's password and name, and logs it in: the response holds a
/// token pair. The link works once; other sign-ups for the same address stop working.
/// An unknown, expired or used link, or one for an address that has an account by
/// now, is one uniform 400.
#[utoipa::path(
    tag = "auth",
    operation_id = "confirm_registration",
    security(()),
    request_body = ConfirmRegistration,
    responses(
        (status = 201, description = "Account made and logged in", body = TokenResponse,
         headers(("Cache-Control" = String, description = "no-store"))),
    )
)]
#[post("/register/confirm")]
pub async fn confirm_registration(
    req: HttpRequest,
    client: ClientAddress,
    state: web::Data<AppState>,
    body: web::Json<ConfirmRegistration>,
) -> Result<HttpResponse, ApiError> {
    let user_agent = crate::web::user_agent(&req);
    let tokens = registration::confirm(&state, &client, user_agent.as_deref(), body.into_inner()).await?;
    let mut res = no_store(StatusCode::CREATED).json(&tokens);
    res.headers_mut().insert(header::LOCATION, header::HeaderValue::from_static("/api/v1/me"));
    Ok(res)
}

/// Ask for a password reset link.
///
/// Always 202 with the same body, whether or not the address has an account: a link
/// valid for an hour is mailed only if it has. At most 3 requests per account and 10
/// per client address an hour (429 with `Retry-After` past that).
#[utoipa::path(
    tag = "auth",
    operation_id = "request_password_reset",
    security(()),
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "Accepted; a link is mailed if the address has an account", body = Accepted),
        (status = 429, response = inline(TooManyRequests)),
    )
)]
#[post("/password-reset")]
pub async fn request_password_reset(
    client: ClientAddress,
    state: web::Data<AppState>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    recovery::request_reset(&state, &client, body.into_inner()).await?;
    Ok(no_store(StatusCode::ACCEPTED).json(Accepted::new("if the address has an account, a reset link is on its way")))
}

/// Set a new password with a mailed reset token.
///
/// The token works once. The new password follows the registration policy (422
/// naming `new_password`). Every session of the account ends (refresh tokens revoked,
/// access tokens invalid), other outstanding reset links stop working, the address
/// counts as verified, and a notice is mailed. An unknown, expired, used or
/// wrong-purpose token is one uniform 400.
#[utoipa::path(
    tag = "auth",
    operation_id = "confirm_password_reset",
    security(()),
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password set; log in with it"),
    )
)]
#[post("/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    body: web::Json<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    recovery::confirm_reset(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
