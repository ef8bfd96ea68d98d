//! `/auth/*`: register, login, refresh (rotation with reuse detection), logout.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use time::OffsetDateTime;
use uuid::Uuid;

use super::email::Email;
use super::extractor::AuthUser;
use super::model::{LoginRequest, RefreshRequest, RegisterRequest, Role, TokenResponse, TokenType};
use super::store::{self, UserRow};
use super::{password, throttle, tokens};
use crate::app::AppState;
use crate::error::{ApiError, FieldError};
use crate::openapi::responses::{
    BadRequest, Conflict, InternalError, PayloadTooLarge, TooManyRequests, Unauthorized, Unavailable, Unprocessable,
    UnsupportedMediaType,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(register).service(login).service(refresh).service(logout).service(logout_all);
}

/// Longest display name accepted.
pub const MAX_DISPLAY_NAME: usize = 80;

/// The client address used for throttling: the TCP peer, or the forwarded address
/// when `STUDYTRACK_TRUST_FORWARDED` says a trusted proxy sits in front.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    if state.settings.trust_forwarded
        && let Some(addr) = req.connection_info().realip_remote_addr()
    {
        return addr.to_owned();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".to_owned())
}

/// Parses a display name: control characters are dropped (they have no place in a
/// name and can corrupt a terminal or log), surrounding space trimmed, then 1 to 80
/// characters must remain.
pub fn parse_display_name(raw: &str) -> Result<String, &'static str> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let name = cleaned.trim();
    if name.is_empty() {
        return Err("must hold at least one visible character");
    }
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err("must be at most 80 characters");
    }
    Ok(name.to_owned())
}

/// Issues an access token and a refresh token (a new family unless `family` is given).
pub async fn issue_session(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    user: &UserRow,
    version: i32,
    family: Option<Uuid>,
    req: &HttpRequest,
) -> Result<TokenResponse, ApiError> {
    let settings = &state.settings;
    let access_token = state.tokens.issue(user.user_id, user.role().as_str(), version, settings.access_token_ttl)?;
    let (refresh_token, hash) = tokens::new_refresh_token();
    let expires_at = OffsetDateTime::now_utc() + settings.refresh_token_ttl;
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(200).collect::<String>());
    store::insert_refresh(
        conn,
        user.user_id,
        family.unwrap_or_else(Uuid::new_v4),
        &hash,
        expires_at,
        user_agent.as_deref(),
    )
    .await?;
    Ok(TokenResponse {
        access_token,
        token_type: TokenType::Bearer,
        expires_in: settings.access_token_ttl.as_secs(),
        refresh_token,
        refresh_expires_in: settings.refresh_token_ttl.as_secs(),
        account: user.account(),
    })
}

/// Token responses must never be cached by anything between client and server.
pub fn token_response(status: actix_web::http::StatusCode, body: &TokenResponse) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::CACHE_CONTROL, "no-store")).json(body)
}

/// Create a learner account.
///
/// Registers a learner and logs them in (the response holds a token pair). Every new
/// account is a learner: roles are granted from the command line only, and any field
/// beyond `email`, `password` and `display_name` is refused with 422.
#[utoipa::path(
    tag = "auth",
    operation_id = "register",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered and logged in", body = TokenResponse,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, response = inline(BadRequest)),
        (status = 409, response = inline(Conflict)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 429, response = inline(TooManyRequests)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&body.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let name = parse_display_name(&body.display_name).map_err(|m| errors.push(FieldError::new("display_name", m))).ok();
    if let Err(m) = password::check_policy(&body.password, email.as_ref().map_or("", |e| e.normalized.as_str())) {
        errors.push(FieldError::new("password", m));
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(ApiError::Validation { detail: "the registration is invalid".to_owned(), errors });
    };

    let address = client_address(&req, &state);
    let settings = &state.settings;
    let hour = std::time::Duration::from_secs(3600);
    if let Some(wait) =
        throttle::retry_after(&state.db, throttle::REGISTER_ADDRESS, &address, settings.registrations_per_address, hour)
            .await?
    {
        state.metrics.throttled(throttle::REGISTER_ADDRESS);
        return Err(ApiError::TooManyRequests { retry_after_secs: wait });
    }
    throttle::record(&state.db, throttle::REGISTER_ADDRESS, &address, hour).await?;

    let hash = state.hasher.hash(body.into_inner().password).await?;
    let user = store::insert(&state.db, &email.display, &email.normalized, &name, &hash, Role::Learner)
        .await?
        .ok_or_else(|| ApiError::Conflict("an account with this email already exists".to_owned()))?;
    let mut conn = state.db.acquire().await?;
    let tokens = issue_session(&state, &mut conn, &user, user.token_version, None, &req).await?;
    let mut res = token_response(actix_web::http::StatusCode::CREATED, &tokens);
    res.headers_mut().insert(header::LOCATION, header::HeaderValue::from_static("/api/v1/me"));
    Ok(res)
}

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
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 429, response = inline(TooManyRequests)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.password.len() > password::MAX_BYTES {
        return Err(ApiError::invalid("password", format!("must be at most {} bytes", password::MAX_BYTES)));
    }
    if body.email.len() > super::email::MAX_LEN {
        return Err(ApiError::invalid("email", "must be at most 254 characters"));
    }
    let account_key = super::email::normalize(&body.email);
    let address = client_address(&req, &state);
    let settings = &state.settings;
    let window = settings.login_window;
    for (bucket, key, max) in [
        (throttle::LOGIN_ACCOUNT, account_key.as_str(), settings.login_failures_per_account),
        (throttle::LOGIN_ADDRESS, address.as_str(), settings.login_failures_per_address),
    ] {
        if let Some(wait) = throttle::retry_after(&state.db, bucket, key, max, window).await? {
            tracing::warn!(bucket, "login throttled");
            state.metrics.throttled(bucket);
            return Err(ApiError::TooManyRequests { retry_after_secs: wait });
        }
    }

    let user = store::by_email(&state.db, &account_key).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.hasher.verify(body.password, hash).await?;
    let user = match user {
        Some(user) if verified && user.disabled_at.is_none() => user,
        _ => {
            throttle::record(&state.db, throttle::LOGIN_ACCOUNT, &account_key, window).await?;
            throttle::record(&state.db, throttle::LOGIN_ADDRESS, &address, window).await?;
            return Err(ApiError::Unauthorized("the email or password is incorrect".to_owned()));
        }
    };
    throttle::clear(&state.db, throttle::LOGIN_ACCOUNT, &account_key).await?;
    let mut conn = state.db.acquire().await?;
    let tokens = issue_session(&state, &mut conn, &user, user.token_version, None, &req).await?;
    Ok(token_response(actix_web::http::StatusCode::OK, &tokens))
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
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let invalid = || ApiError::Unauthorized("the refresh token is invalid, expired or revoked".to_owned());
    if body.refresh_token.len() > 200 {
        return Err(invalid());
    }
    let hash = tokens::hash_refresh_token(&body.refresh_token);
    let mut tx = state.db.begin().await?;
    let Some(row) = store::lock_refresh(&mut tx, &hash).await? else {
        return Err(invalid());
    };
    if row.used_at.is_some() || row.revoked_at.is_some() {
        if row.used_at.is_some() && row.revoked_at.is_none() {
            // A rotated token came back: someone holds a copy. End the whole family.
            let revoked = store::revoke_family(&mut tx, row.family_id).await?;
            tx.commit().await?;
            tracing::warn!(family = %row.family_id, revoked, "refresh token reuse detected; family revoked");
        }
        return Err(invalid());
    }
    if row.expires_at <= OffsetDateTime::now_utc() {
        return Err(invalid());
    }
    let user = store::by_id(&state.db, row.user_id).await?.ok_or_else(invalid)?;
    if user.disabled_at.is_some() {
        return Err(invalid());
    }
    store::mark_used(&mut tx, row.token_id).await?;
    let tokens = issue_session(&state, &mut tx, &user, user.token_version, Some(row.family_id), &req).await?;
    tx.commit().await?;
    Ok(token_response(actix_web::http::StatusCode::OK, &tokens))
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
        (status = 400, response = inline(BadRequest)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: web::Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    if body.refresh_token.len() <= 200 {
        let hash = tokens::hash_refresh_token(&body.refresh_token);
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
        (status = 401, response = inline(Unauthorized)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[post("/auth/logout-all")]
pub async fn logout_all(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut tx = state.db.begin().await?;
    store::end_all_sessions(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
