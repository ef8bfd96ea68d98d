//! An entity's published revisions, and restoring one into a draft.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::draft_response;
use crate::admin::content::model::ContentKind;
use crate::admin::content::routes::EntityPath;
use crate::admin::content::store as content;
use crate::admin::editorial::drafts::{self};
use crate::admin::editorial::model::*;
use crate::admin::editorial::revisions;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, Forbidden, NotFound};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    kind: ContentKind,
    key: String,
    /// The revision's number (see the revisions list).
    number: i32,
}

/// List an entity's published revisions (admin, editor).
///
/// Newest first, each with its author (and API token, if one was used), time, class,
/// diff against the one before and the whole document.
#[utoipa::path(
    tag = "editorial",
    operation_id = "list_revisions",
    security(("bearer_auth" = [])),
    params(EntityPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "The revisions", body = RevisionList),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/content/{kind}/{key}/revisions")]
pub async fn list_revisions(
    _caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db.acquire().await?;
    let (id, _) = content::locate(&mut conn, path.kind, &path.key).await?;
    let items = revisions::list(&mut conn, path.kind, id).await?;
    Ok(crate::web::private_ok().json(RevisionList { items }))
}

/// Restore a revision as a new draft (admin, editor).
///
/// Starts the entity's draft from an old revision's document; it publishes like any
/// draft. 409 when the entity has a draft already.
#[utoipa::path(
    tag = "editorial",
    operation_id = "restore_revision",
    security(("bearer_auth" = [])),
    params(RevisionPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 201, description = "The new draft", body = Draft),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/content/{kind}/{key}/revisions/{number}/restore")]
pub async fn restore_revision(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<RevisionPath>,
) -> Result<HttpResponse, ApiError> {
    let draft = drafts::from_revision(&state.db, &caller, path.kind, &path.key, path.number).await?;
    Ok(draft_response(StatusCode::CREATED, draft))
}
