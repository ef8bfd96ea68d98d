//! Note and bookmark handlers: extract, call the service, answer.

use actix_web::{HttpResponse, delete, get, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, NotFound};
use crate::state::AppState;
use crate::web::private_ok;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TargetPath {
    /// `topic` or `question`.
    #[param(inline)]
    kind: TargetKind,
    /// The topic's or question's id.
    id: Uuid,
}

/// Write a note on a topic or question.
///
/// Markdown, 1 to 20,000 characters. Last writer wins on `updated_at` (the device's
/// time), so two devices converge whatever order their edits arrive in; a delete counts
/// as a write at its time, so an older edit never brings a deleted note back (409 when
/// a delete stamped later by another device stands). A learner keeps at most 1,000
/// notes. 404 for a retired or unknown target.
#[utoipa::path(
    tag = "progress",
    operation_id = "set_note",
    security(("bearer_auth" = [])),
    params(TargetPath),
    request_body = SetNote,
    responses(
        (status = 200, description = "The note that stands", body = NoteWritten),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[put("/notes/{kind}/{id}")]
pub async fn set_note(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TargetPath>,
    body: web::Json<SetNote>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::put_note(&state, user.id, path.kind, path.id, &body).await?))
}

/// A note.
///
/// The learner's note on a topic or question, with its target's title; 404 when there
/// is none.
#[utoipa::path(
    tag = "progress",
    operation_id = "get_note",
    security(("bearer_auth" = [])),
    params(TargetPath),
    responses(
        (status = 200, description = "The note", body = Note),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/notes/{kind}/{id}")]
pub async fn get_note(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TargetPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::note(&state, user.id, path.kind, path.id).await?))
}

/// Delete a note.
///
/// 204, or 404 when there is no note on it.
#[utoipa::path(
    tag = "progress",
    operation_id = "delete_note",
    security(("bearer_auth" = [])),
    params(TargetPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[delete("/notes/{kind}/{id}")]
pub async fn delete_note(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TargetPath>,
) -> Result<HttpResponse, ApiError> {
    service::delete_note(&state, user.id, path.kind, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every note.
///
/// Most recently edited first, each with its target's title; notes on retired content
/// are kept and flagged `retired`.
#[utoipa::path(
    tag = "progress",
    operation_id = "list_notes",
    security(("bearer_auth" = [])),
    responses((status = 200, description = "The notes", body = Notes))
)]
#[get("/notes")]
pub async fn list_notes(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::notes(&state, user.id).await?))
}

/// Bookmark a topic or question.
///
/// Optionally with a day to revisit it (`revisit_on`); a PUT replaces the day. A
/// learner keeps at most 1,000 bookmarks. 404 for a retired or unknown target.
#[utoipa::path(
    tag = "progress",
    operation_id = "set_bookmark",
    security(("bearer_auth" = [])),
    params(TargetPath),
    request_body = SetBookmark,
    responses(
        (status = 200, description = "The bookmark", body = Bookmark),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[put("/bookmarks/{kind}/{id}")]
pub async fn set_bookmark(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TargetPath>,
    body: web::Json<SetBookmark>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::put_bookmark(&state, user.id, path.kind, path.id, &body).await?))
}

/// Remove a bookmark.
///
/// 204, or 404 when it is not bookmarked.
#[utoipa::path(
    tag = "progress",
    operation_id = "delete_bookmark",
    security(("bearer_auth" = [])),
    params(TargetPath),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[delete("/bookmarks/{kind}/{id}")]
pub async fn delete_bookmark(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TargetPath>,
) -> Result<HttpResponse, ApiError> {
    service::delete_bookmark(&state, user.id, path.kind, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every bookmark.
///
/// Those due to revisit (`revisit_on` today or earlier in the account's time zone)
/// first, oldest day first; then the rest, most recent first.
#[utoipa::path(
    tag = "progress",
    operation_id = "list_bookmarks",
    security(("bearer_auth" = [])),
    responses((status = 200, description = "The bookmarks", body = Bookmarks))
)]
#[get("/bookmarks")]
pub async fn list_bookmarks(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::bookmarks(&state, user.id).await?))
}
