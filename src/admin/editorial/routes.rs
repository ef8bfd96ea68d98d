//! The editorial endpoints: drafts, revisions, change sets and preview tokens.
//! Extract, call the use case, answer (with the draft's ETag where there is one).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::drafts::{self, DraftOptions};
use super::model::*;
use super::{changesets, preview, revisions};
use crate::admin::content::model::{ContentKind, RevisionClass};
use crate::admin::content::routes::{EntityPath, KindPath};
use crate::admin::content::store as content;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use crate::state::AppState;
use crate::web::extractors::UniqueKeys;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    kind: ContentKind,
    key: String,
    /// The revision's number (see the revisions list).
    number: i32,
}

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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateFilter {
    /// Only change sets in this state.
    #[param(inline)]
    state: Option<ChangesetState>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    id: Uuid,
}

fn if_match(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

fn draft_response(status: StatusCode, (draft, tag): (Draft, String)) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(draft)
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

/// Issue a preview token (admin, editor).
///
/// For a change set's drafts or one draft. A front end passes it to the public reads
/// (tracks, a track's roadmap, topics, flashcards, questions, articles) as `?preview=`
/// or the `Preview-Token` header and gets the content as publishing would make it,
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
