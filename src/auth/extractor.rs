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
use super::{access, api_tokens};
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
    /// The API token the request came with, if it came with one (admin API only).
    pub api_token: Option<super::api_tokens::TokenGrant>,
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

/// Middleware for the admin scope: 401 without a valid access or API token, 403 when
/// the caller's role (and a token's scopes) do not grant the operation (see
/// [`access::required`]), before the route's own extractors (body, path) get a say. The
/// refusal is returned as a response, not an error, so the outer layers (request id,
/// nosniff) still see it. The caller is kept in the request for [`AdminUser`].
pub async fn require_admin(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    match check_access(&req).await {
        Ok(user) => {
            actix_web::HttpMessage::extensions_mut(&req).insert(Admitted(user));
            next.call(req).await.map(actix_web::dev::ServiceResponse::map_into_left_body)
        }
        Err(refused) => Ok(req.error_response(refused).map_into_right_body()),
    }
}

/// The caller the admin scope's middleware let in.
#[derive(Debug, Clone, Copy)]
struct Admitted(AuthUser);

async fn check_access(req: &actix_web::dev::ServiceRequest) -> Result<AuthUser, ApiError> {
    let token = bearer(req.request())?
        .map(str::to_owned)
        .ok_or_else(|| unauthorized("this operation needs `Authorization: Bearer <access token or API token>`"))?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))?;
    let user = if api_tokens::is_api_token(&token) {
        let (id, role, progress_version, grant) =
            api_tokens::authenticate(&state.db, &token, state.clock.now()).await?;
        AuthUser { id, role, progress_version, api_token: Some(grant) }
    } else {
        authenticate(&state, &token).await?
    };
    let permission = access::required(req.method(), req.path());
    if !access::role_allows(user.role, permission) {
        return Err(ApiError::Forbidden(match user.role {
            Role::Learner => "this operation is for admins".to_owned(),
            _ => "this operation is for admins; editors write drafts and submit change sets".to_owned(),
        }));
    }
    if let Some(grant) = user.api_token
        && !access::scopes_allow(grant.scopes, permission)
    {
        return Err(ApiError::Forbidden("the API token's scopes do not cover this operation".to_owned()));
    }
    Ok(user)
}

/// The caller of an admin operation (an admin, an editor, or an API token acting for
/// one), already checked against the operation by the admin scope's middleware.
/// Outside that scope only an admin's access token is accepted.
#[derive(Debug, Clone, Copy)]
pub struct AdminUser(pub AuthUser, pub crate::proxy::ClientAddress);

impl AdminUser {
    /// Whether the caller may approve and publish (an admin, through a token with
    /// `content:publish` if through a token at all).
    pub fn can_publish(&self) -> bool {
        access::role_allows(self.0.role, access::Permission::ContentPublish)
            && self.0.api_token.is_none_or(|t| access::scopes_allow(t.scopes, access::Permission::ContentPublish))
    }
}

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

/// Resolves a bearer access token to a live user. API tokens are refused here: they
/// are accepted by the admin API only.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    if api_tokens::is_api_token(token) {
        return Err(unauthorized("API tokens are accepted by the admin API only; log in for this operation"));
    }
    let claims = state.tokens.verify(token).ok_or_else(|| unauthorized("the access token is invalid or expired"))?;
    let user = super::service::current_account(&state.db, claims.sub).await?;
    if user.disabled_at.is_some() {
        return Err(unauthorized("the account is disabled"));
    }
    if user.token_version != claims.ver {
        return Err(unauthorized("the session has ended; log in again"));
    }
    Ok(AuthUser { id: user.user_id, role: user.role, progress_version: user.progress_version, api_token: None })
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
        // Admin writes are audited with the address they came from, by the one rule.
        let trust = req.app_data::<web::Data<crate::proxy::ProxyTrust>>().map(|d| d.get_ref());
        let client = crate::web::client_address::resolve(trust, req.peer_addr().map(|a| a.ip()), req.headers());
        if let Some(Admitted(user)) = actix_web::HttpMessage::extensions(req).get::<Admitted>().copied() {
            return Box::pin(async move { Ok(AdminUser(user, client)) });
        }
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            match user.role {
                Role::Admin => Ok(AdminUser(user, client)),
                Role::Learner | Role::Editor => Err(ApiError::Forbidden("this operation is for admins".to_owned())),
            }
        })
    }
}
