//! `AuthUser` and `AdminUser`: the only way a handler learns who is calling.
//!
//! Every check happens here, once: bearer syntax, signature and claims, then the user
//! row (deleted, disabled, or token version bumped by a password change or logout-all
//! all end the token). The role comes from the database, not from the token, so a
//! demotion takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use uuid::Uuid;

use super::model::Role;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    /// The account's progress version as read with the account: it moves with every
    /// change progress depends on (see the `progress_version` migration), so a figure
    /// computed under the same version is still right.
    pub progress_version: i64,
}

/// The caller when a bearer token is present (which must then be valid: a bad token
/// is a 401, never silently anonymous), or `None` for anonymous calls.
#[derive(Debug, Clone, Copy)]
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let present = req.headers().contains_key(header::AUTHORIZATION);
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move { if present { Ok(MaybeUser(Some(user.await?))) } else { Ok(MaybeUser(None)) } })
    }
}

/// Middleware for the admin scope: 401 without a valid token, 403 for a non-admin,
/// before the route's own extractors (body, path) get a say. The refusal is returned
/// as a response, not an error, so the outer layers (request id, nosniff) still see it.
pub async fn require_admin(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    match check_admin(&req).await {
        Ok(()) => next.call(req).await.map(actix_web::dev::ServiceResponse::map_into_left_body),
        Err(refused) => Ok(req.error_response(refused).map_into_right_body()),
    }
}

async fn check_admin(req: &actix_web::dev::ServiceRequest) -> Result<(), ApiError> {
    let token = bearer(req.request())?
        .map(str::to_owned)
        .ok_or_else(|| unauthorized("this operation needs `Authorization: Bearer <access token>`"))?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))?;
    let user = authenticate(&state, &token).await?;
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden("this operation is for admins".to_owned()));
    }
    Ok(())
}

/// An authenticated admin; a learner gets 403.
#[derive(Debug, Clone, Copy)]
pub struct AdminUser(pub AuthUser, pub crate::proxy::ClientAddress);

fn unauthorized(detail: &str) -> ApiError {
    ApiError::Unauthorized(detail.to_owned())
}

/// The bearer token of a request, if it has a well-formed Authorization header.
pub fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not valid"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(unauthorized("use `Authorization: Bearer <access token>`")),
    }
}

/// Resolves a bearer token to a live user.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    let claims = state.tokens.verify(token).ok_or_else(|| unauthorized("the access token is invalid or expired"))?;
    let user = super::service::current_account(&state.db, claims.sub).await?;
    if user.disabled_at.is_some() {
        return Err(unauthorized("the account is disabled"));
    }
    if user.token_version != claims.ver {
        return Err(unauthorized("the session has ended; log in again"));
    }
    Ok(AuthUser { id: user.user_id, role: user.role, progress_version: user.progress_version })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req).map(|t| t.map(str::to_owned));
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token =
                token?.ok_or_else(|| unauthorized("this operation needs `Authorization: Bearer <access token>`"))?;
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))?;
            authenticate(&state, &token).await
        })
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        // Admin writes are audited with the address they came from, by the one rule.
        let trust = req.app_data::<web::Data<crate::proxy::ProxyTrust>>().map(|d| d.get_ref());
        let client = crate::web::client_address::resolve(trust, req.peer_addr().map(|a| a.ip()), req.headers());
        Box::pin(async move {
            let user = user.await?;
            match user.role {
                Role::Admin => Ok(AdminUser(user, client)),
                Role::Learner => Err(ApiError::Forbidden("this operation is for admins".to_owned())),
            }
        })
    }
}
