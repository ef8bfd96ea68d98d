//! The admin content endpoints: extract, call the service, answer with the entity
//! and its ETag.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{ContentDoc, ContentEntity, ContentKind, RevisionClass};
use super::service::{self, tag_of};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::state::AppState;
use crate::web::extractors::UniqueKeys;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KindPath {
    /// `tracks`, `topics`, `questions`, `flashcards`, `quiz-items` or `articles`.
    pub kind: ContentKind,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntityPath {
    /// `tracks`, `topics`, `questions`, `flashcards`, `quiz-items` or `articles`.
    pub kind: ContentKind,
    /// Slug for tracks, topics and articles; id for questions, flashcards, quiz items
    /// (for new ones that exist only as a draft, the id their draft reserved).
    #[param(example = "fundamentals")]
    pub key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionQuery {
    /// `minor` (default) or `major`; see `RevisionClass`. `major` is for questions and
    /// quiz items only.
    #[param(inline)]
    revision: Option<RevisionClass>,
}

fn respond(status: actix_web::http::StatusCode, entity: &ContentEntity) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, tag_of(entity)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(entity)
}

/// Read one content entity (admin), retired or not, with its ETag.
///
/// `kind` names the collection and `key` the entity: a slug for tracks, topics and
/// articles, an id for questions, flashcards and quiz items. `doc` is the seed-file shape
/// of that kind; edit it and send it back with `PUT` and the `ETag` as `If-Match`.
#[utoipa::path(
    tag = "admin",
    operation_id = "get_content_entity",
    security(("bearer_auth" = [])),
    params(EntityPath),
    responses(
        (status = 200, description = "The entity; `ETag` is what `If-Match` must carry", body = ContentEntity,
         headers(("ETag" = String, description = "Send back as If-Match to update"))),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/content/{kind}/{key}")]
pub async fn get_entity(
    _admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
) -> Result<HttpResponse, ApiError> {
    let entity = service::get(&state.db, path.kind, &path.key).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &entity))
}

/// Create a content entity (admin).
///
/// The body is the entity's document in the seed-file shape (children name their
/// `topic`). Validated like the seed (422 lists every problem); 409 when the slug is
/// taken. A track's document places topics in stages and electives, so creating or
/// updating a track also orders its stages and topics in one request.
#[utoipa::path(
    tag = "admin",
    operation_id = "create_content_entity",
    security(("bearer_auth" = [])),
    params(KindPath),
    request_body(content = ContentDoc, example = json!({
            "topic": "fundamentals", "slug": "is-vs-equality", "title": "What is the difference between `is` and `==`?",
            "difficulty": "junior", "tags": ["identity", "equality"],
            "prompt": "When does `a is b` differ from `a == b`?",
            "answer": "`==` asks whether the values are equal (`__eq__`); `is` asks whether both names refer to the same object…"
        })),
    responses(
        (status = 201, description = "Created", body = ContentEntity),
        (status = 403, response = inline(Forbidden)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/content/{kind}")]
pub async fn create_entity(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<KindPath>,
    body: web::Json<UniqueKeys>,
) -> Result<HttpResponse, ApiError> {
    let created = service::create(&state.db, &admin, path.kind, body.into_inner().0).await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, &created))
}

/// Update a content entity (admin).
///
/// Replaces the editable fields with the body. `If-Match` must carry the ETag from
/// the last read: without it 428, stale 412, so two admins never overwrite each other
/// silently. Slugs do not change (create a new entity and retire the old one).
///
/// `?revision=major` marks an edit of a question or quiz item as a major revision:
/// learners' earlier evidence on it stops counting, so their progress on it goes back
/// under verification (`content_changed`). The default, `minor`, changes nothing for them.
#[utoipa::path(
    tag = "admin",
    operation_id = "update_content_entity",
    security(("bearer_auth" = [])),
    params(EntityPath, RevisionQuery, ("If-Match" = String, Header, description = "The entity's ETag")),
    request_body(content = ContentDoc, example = json!({
            "topic": "fundamentals", "slug": "is-vs-equality", "title": "What is the difference between `is` and `==`?",
            "difficulty": "junior", "tags": ["identity", "equality"],
            "prompt": "When does `a is b` differ from `a == b`?",
            "answer": "`==` asks whether the values are equal (`__eq__`); `is` asks whether both names refer to the same object…"
        })),
    responses(
        (status = 200, description = "Updated", body = ContentEntity),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
    )
)]
#[put("/content/{kind}/{key}")]
pub async fn update_entity(
    req: HttpRequest,
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
    query: web::Query<RevisionQuery>,
    body: web::Json<UniqueKeys>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match(&req);
    let revision = query.revision.unwrap_or_default();
    let updated =
        service::update(&state.db, &admin, path.kind, &path.key, body.into_inner().0, if_match, revision).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &updated))
}

/// Retire a content entity (admin).
///
/// Hides it from the public API without deleting it, so learners' history stays
/// valid; `restore` brings it back with the same id. Needs `If-Match`.
#[utoipa::path(
    tag = "admin",
    operation_id = "retire_content_entity",
    security(("bearer_auth" = [])),
    params(EntityPath, ("If-Match" = String, Header, description = "The entity's ETag")),
    responses(
        (status = 200, description = "Retired", body = ContentEntity),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
    )
)]
#[post("/content/{kind}/{key}/retire")]
pub async fn retire_entity(
    req: HttpRequest,
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
) -> Result<HttpResponse, ApiError> {
    let entity = service::set_retired(&state.db, &admin, path.kind, &path.key, if_match(&req), true).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &entity))
}

/// Restore a retired content entity (admin).
///
/// Makes it public again with its old id (and the learner history that points at
/// it). Needs `If-Match`.
#[utoipa::path(
    tag = "admin",
    operation_id = "restore_content_entity",
    security(("bearer_auth" = [])),
    params(EntityPath, ("If-Match" = String, Header, description = "The entity's ETag")),
    responses(
        (status = 200, description = "Restored", body = ContentEntity),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
    )
)]
#[post("/content/{kind}/{key}/restore")]
pub async fn restore_entity(
    req: HttpRequest,
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
) -> Result<HttpResponse, ApiError> {
    let entity = service::set_retired(&state.db, &admin, path.kind, &path.key, if_match(&req), false).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &entity))
}

/// The `If-Match` header as text (a value that is not visible ASCII counts as absent).
fn if_match(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}
