//! Drafts of one entity: start, read, change, retire and discard, and the list.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{draft_response, if_match};
use crate::admin::content::model::RevisionClass;
use crate::admin::content::routes::{EntityPath, KindPath};
use crate::admin::editorial::drafts::{self, DraftOptions};
use crate::admin::editorial::model::*;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::state::AppState;
use crate::web::extractors::UniqueKeys;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DraftQuery {
    /// `minor` (default) or `major` (questions and quiz items: learners' progress on it
    /// goes back under verification when it publishes).
    #[param(inline)]
    revision: Option<RevisionClass>,
    /// Put the draft in this change set (an open one; a submitted or approved one goes
    /// back to `open`).
    changeset: Option<Uuid>,
    /// Take the published entity as it is now as the draft's base (after someone
    /// published over it).
    #[serde(default)]
    rebase: bool,
}

impl DraftQuery {
    fn options(&self) -> DraftOptions {
        DraftOptions { revision: self.revision, changeset: self.changeset, rebase: self.rebase }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesetFilter {
    /// Only the drafts of this change set.
    changeset: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesetTarget {
    /// Put the draft in this change set (an open one; a submitted or approved one goes
    /// back to `open`).
    changeset: Option<Uuid>,
}

/// List drafts (admin, editor).
///
/// Every draft, or one change set's, each with the problems that would stop it
/// publishing now (checked with the other drafts of its change set).
#[utoipa::path(
    tag = "editorial",
    operation_id = "list_drafts",
    security(("bearer_auth" = [])),
    params(ChangesetFilter),
    responses(
        (status = 400, response = inline(BadRequest)),(status = 200, description = "Drafts", body = DraftList), (status = 403, response = inline(Forbidden)))
)]
#[get("/drafts")]
pub async fn list_drafts(
    _caller: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<ChangesetFilter>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(drafts::list(&state.db, query.changeset).await?))
}

/// Start a draft of new content (admin, editor).
///
/// The body is the new entity's document in the seed-file shape. Only `slug` (and a
/// question's, flashcard's or quiz item's `topic`) is needed now; the draft says what
/// else is missing. The new entity's id is reserved at once: preview links use it and
/// the published entity keeps it. Nothing is public until its change set publishes.
#[utoipa::path(
    tag = "editorial",
    operation_id = "create_draft",
    security(("bearer_auth" = [])),
    params(KindPath, DraftQuery),
    request_body = DraftDoc,
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 201, description = "The draft; `ETag` is what `If-Match` must carry", body = Draft,
         headers(("ETag" = String, description = "Send back as If-Match to change the draft"))),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/drafts/{kind}")]
pub async fn create_draft(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<KindPath>,
    query: web::Query<DraftQuery>,
    body: web::Json<UniqueKeys>,
) -> Result<HttpResponse, ApiError> {
    let draft = drafts::create(&state.db, &caller, path.kind, body.into_inner().0, query.options()).await?;
    Ok(draft_response(StatusCode::CREATED, draft))
}

/// Read the draft of an entity (admin, editor).
///
/// With `problems`: what would stop it publishing now, from the same validation as
/// publishing (against the published content plus the other drafts of its change set).
#[utoipa::path(
    tag = "editorial",
    operation_id = "get_draft",
    security(("bearer_auth" = [])),
    params(EntityPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "The draft", body = Draft,
         headers(("ETag" = String, description = "Send back as If-Match to change the draft"))),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/content/{kind}/{key}/draft")]
pub async fn get_draft(
    _caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(draft_response(StatusCode::OK, drafts::get(&state.db, path.kind, &path.key).await?))
}

/// Create or change the draft of an entity (admin, editor).
///
/// The body is the next version of the entity's document (it may be incomplete).
/// Changing an existing draft needs its `ETag` as `If-Match` (428 without, 412 when
/// someone changed it since), so two editors never overwrite each other. Learners see
/// nothing of it until its change set publishes.
#[utoipa::path(
    tag = "editorial",
    operation_id = "put_draft",
    security(("bearer_auth" = [])),
    params(EntityPath, DraftQuery, ("If-Match" = Option<String>, Header, description = "The draft's ETag (not needed for an entity's first draft)")),
    request_body = DraftDoc,
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "The draft", body = Draft,
         headers(("ETag" = String, description = "Send back as If-Match to change the draft"))),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
    )
)]
#[put("/content/{kind}/{key}/draft")]
pub async fn put_draft(
    req: HttpRequest,
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
    query: web::Query<DraftQuery>,
    body: web::Json<UniqueKeys>,
) -> Result<HttpResponse, ApiError> {
    let draft =
        drafts::put(&state.db, &caller, path.kind, &path.key, body.into_inner().0, if_match(&req), query.options())
            .await?;
    Ok(draft_response(StatusCode::OK, draft))
}

/// Draft the retirement of an entity (admin, editor).
///
/// The entity's draft becomes "retire it": when the draft publishes (normally with its
/// change set, together with the edits that replace the entity), the entity is retired
/// as `POST /admin/content/{kind}/{key}/retire` does, and learners' marks on it are kept for
/// a restore. Until then only previews show it gone. 409 when the entity has a draft
/// already or is retired; discard the draft (`DELETE …/draft`) to withdraw.
#[utoipa::path(
    tag = "editorial",
    operation_id = "retire_draft",
    security(("bearer_auth" = [])),
    params(EntityPath, ChangesetTarget),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 201, description = "The retirement draft", body = Draft,
         headers(("ETag" = String, description = "Send back as If-Match to discard the draft"))),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 412, response = inline(PreconditionFailed)),
    )
)]
#[post("/content/{kind}/{key}/draft/retire")]
pub async fn retire_draft(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
    query: web::Query<ChangesetTarget>,
) -> Result<HttpResponse, ApiError> {
    let draft = drafts::retire(&state.db, &caller, path.kind, &path.key, query.changeset).await?;
    Ok(draft_response(StatusCode::CREATED, draft))
}

/// Discard the draft of an entity (admin, editor).
///
/// The published entity (if any) stays as it is. Needs the draft's `If-Match`.
#[utoipa::path(
    tag = "editorial",
    operation_id = "delete_draft",
    security(("bearer_auth" = [])),
    params(EntityPath, ("If-Match" = String, Header, description = "The draft's ETag")),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 204, description = "Discarded"),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
    )
)]
#[delete("/content/{kind}/{key}/draft")]
pub async fn delete_draft(
    req: HttpRequest,
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
) -> Result<HttpResponse, ApiError> {
    drafts::discard(&state.db, &caller, path.kind, &path.key, if_match(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}
