//! Preview tokens: issue, list, revoke.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};

use super::IdPath;
use crate::admin::editorial::model::*;
use crate::admin::editorial::preview;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Forbidden, NotFound};
use crate::state::AppState;

/// Issue a preview token (admin, editor).
///
/// For a change set's drafts or one draft. A front end passes it to the public content
/// reads (tracks, roadmaps, topics, flashcards, questions and their search, articles,
/// the offline bundle) as `?preview=` or the `Preview-Token` header and gets the content as publishing would make it,
/// `Cache-Control: private, no-store`. Shown once; revocable; one day by default.
#[utoipa::path(
    tag = "editorial",
    operation_id = "create_preview_token",
    security(("bearer_auth" = [])),
    request_body = NewPreviewToken,
    responses(
        (status = 201, description = "The token (shown once)", body = IssuedPreviewToken),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[post("/preview-tokens")]
pub async fn create_preview_token(
    caller: AdminUser,
    state: web::Data<AppState>,
    body: web::Json<NewPreviewToken>,
) -> Result<HttpResponse, ApiError> {
    let issued = preview::issue(&state.db, &caller, body.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(issued))
}

/// List preview tokens (admin, editor).
#[utoipa::path(
    tag = "editorial",
    operation_id = "list_preview_tokens",
    security(("bearer_auth" = [])),
    responses(
        (status = 400, response = inline(BadRequest)),(status = 200, description = "Newest first", body = PreviewTokenList), (status = 403, response = inline(Forbidden)))
)]
#[get("/preview-tokens")]
pub async fn list_preview_tokens(_caller: AdminUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(preview::list(&state.db).await?))
}

/// Revoke a preview token (admin, editor).
///
/// The next read with it is 401.
#[utoipa::path(
    tag = "editorial",
    operation_id = "revoke_preview_token",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 204, description = "Revoked"),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[delete("/preview-tokens/{id}")]
pub async fn revoke_preview_token(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    preview::revoke(&state.db, &caller, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
