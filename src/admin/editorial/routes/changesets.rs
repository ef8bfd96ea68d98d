//! Change sets: make, list, read with the diff, submit, approve, publish, schedule, discard.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::IdPath;
use crate::admin::editorial::changesets;
use crate::admin::editorial::model::*;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, Forbidden, NotFound, Unprocessable};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateFilter {
    /// Only change sets in this state.
    #[param(inline)]
    state: Option<ChangesetState>,
}

/// Create a change set (admin, editor).
///
/// A change set groups drafts (add one with `?changeset=` on the draft write) that
/// are reviewed and published together.
#[utoipa::path(
    tag = "editorial",
    operation_id = "create_changeset",
    security(("bearer_auth" = [])),
    request_body = NewChangeset,
    responses(
        (status = 400, response = inline(BadRequest)),(status = 201, description = "Created", body = Changeset), (status = 403, response = inline(Forbidden)))
)]
#[post("/changesets")]
pub async fn create_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    body: web::Json<NewChangeset>,
) -> Result<HttpResponse, ApiError> {
    let created = changesets::create(&state.db, &caller, body.into_inner(), state.settings.require_approval).await?;
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(created))
}

/// List change sets (admin, editor).
#[utoipa::path(
    tag = "editorial",
    operation_id = "list_changesets",
    security(("bearer_auth" = [])),
    params(StateFilter),
    responses(
        (status = 400, response = inline(BadRequest)),(status = 200, description = "Newest first", body = ChangesetList), (status = 403, response = inline(Forbidden)))
)]
#[get("/changesets")]
pub async fn list_changesets(
    _caller: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<StateFilter>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(changesets::list(&state.db, query.state).await?))
}

/// Read a change set with its diff (admin, editor).
///
/// Each draft with its field-by-field diff against the published content and the
/// problems that would stop it publishing.
#[utoipa::path(
    tag = "editorial",
    operation_id = "get_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "The change set", body = Changeset),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/changesets/{id}")]
pub async fn get_changeset(
    _caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(changesets::get(&state.db, path.id).await?))
}

/// Discard a change set (admin, editor).
///
/// Its drafts stay, outside any change set. Published change sets are kept (409).
#[utoipa::path(
    tag = "editorial",
    operation_id = "delete_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 204, description = "Discarded"),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[delete("/changesets/{id}")]
pub async fn delete_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    changesets::discard(&state.db, &caller, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Submit a change set for review (admin, editor).
#[utoipa::path(
    tag = "editorial",
    operation_id = "submit_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "Submitted", body = Changeset),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[post("/changesets/{id}/submit")]
pub async fn submit_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(changesets::submit(&state.db, &caller, path.id).await?))
}

/// Approve a submitted change set (admin).
///
/// By an admin who neither made the change set nor wrote any of its drafts (403
/// otherwise), and only when every draft would publish (422 lists what would not).
#[utoipa::path(
    tag = "editorial",
    operation_id = "approve_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "Approved", body = Changeset),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[post("/changesets/{id}/approve")]
pub async fn approve_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(changesets::approve(&state.db, &caller, path.id).await?))
}

/// Publish a change set now (admin).
///
/// All or nothing, in one transaction: every draft is validated and applied, its
/// revision recorded, learners' progress on major revisions put back under
/// verification, and caches told once. If any draft fails, nothing is published (422
/// lists every problem). Needs approval unless the change set does not require it.
#[utoipa::path(
    tag = "editorial",
    operation_id = "publish_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "Published", body = Changeset),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[post("/changesets/{id}/publish")]
pub async fn publish_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(changesets::publish(&state.db, &caller, path.id).await?))
}

/// Schedule a change set's publish (admin).
///
/// The scheduler publishes it at `publish_at` (once, whichever instance gets there
/// first). If it is no longer approved or a draft would not apply by then, nothing is
/// published: the change set becomes `failed` with the reason in `failure`.
#[utoipa::path(
    tag = "editorial",
    operation_id = "schedule_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    request_body = Schedule,
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "Scheduled", body = Changeset),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[put("/changesets/{id}/schedule")]
pub async fn schedule_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    body: web::Json<Schedule>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    Ok(crate::web::private_ok().json(changesets::schedule(&state.db, &caller, path.id, body.publish_at, now).await?))
}

/// Cancel a change set's scheduled publish (admin).
#[utoipa::path(
    tag = "editorial",
    operation_id = "unschedule_changeset",
    security(("bearer_auth" = [])),
    params(IdPath),
    responses(
        (status = 400, response = inline(BadRequest)),
        (status = 200, description = "Not scheduled", body = Changeset),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[delete("/changesets/{id}/schedule")]
pub async fn unschedule_changeset(
    caller: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok().json(changesets::unschedule(&state.db, &caller, path.id).await?))
}
