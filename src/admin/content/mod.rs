//! Editing content one entity at a time (admin): read with an ETag, create, update
//! with `If-Match`, retire and restore. Every write builds a bundle and goes through
//! the same validation and upsert as the seed command, inside one transaction holding
//! the content lock, and is recorded in the audit log.

mod doc;
mod schema;
mod store;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

pub use doc::{ContentDoc, ContentEntity, ContentKind};
use doc::{key_of, parse_doc, slug_of};
use store::{ContentError, load, locate, write};

impl From<ContentError> for ApiError {
    fn from(err: ContentError) -> Self {
        match err {
            ContentError::NotFound(detail) => ApiError::NotFound(detail),
            ContentError::UnknownTopic(slug) => ApiError::invalid("topic", format!("no live topic {slug:?}")),
            ContentError::Invalid(problems) => ApiError::Validation {
                detail: "the document is invalid".into(),
                errors: problems
                    .into_iter()
                    .map(|(field, problem)| crate::error::FieldError::new(field, problem))
                    .collect(),
            },
            ContentError::Database(err) => err.into(),
        }
    }
}

use super::audit::{self, AuditAction};
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    Unprocessable, UnsupportedMediaType,
};
use crate::state::AppState;
use crate::web::etag;
use crate::web::extractors::UniqueKeys;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KindPath {
    /// `tracks`, `topics`, `questions`, `flashcards`, `quiz-items` or `articles`.
    kind: ContentKind,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntityPath {
    /// `tracks`, `topics`, `questions`, `flashcards`, `quiz-items` or `articles`.
    kind: ContentKind,
    /// Slug for tracks, topics and articles; id for questions, flashcards, quiz items.
    #[param(example = "fundamentals")]
    key: String,
}

fn entity(kind: ContentKind, id: Uuid, retired: bool, doc: &ContentDoc) -> ContentEntity {
    ContentEntity { kind, id, retired, doc: serde_json::to_value(doc).unwrap_or_default() }
}

fn tag_of(entity: &ContentEntity) -> String {
    etag::tag_for(&serde_json::to_vec(entity).unwrap_or_default())
}

fn respond(status: actix_web::http::StatusCode, entity: &ContentEntity) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, tag_of(entity)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(entity)
}

/// Checks `If-Match` against the entity's current ETag: 428 without one, 412 if stale.
fn check_if_match(req: &HttpRequest, current: &ContentEntity) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the ETag from GET; updates never overwrite blindly".into(),
        ));
    };
    if etag::matches_strongly(value, &tag_of(current)) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(
            "the entity changed since you read it; GET it again and reapply your change".into(),
        ))
    }
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
    let mut conn = state.db.acquire().await?;
    let (id, retired) = locate(&mut conn, path.kind, &path.key).await?;
    let doc = load(&mut conn, path.kind, id).await?;
    Ok(respond(actix_web::http::StatusCode::OK, &entity(path.kind, id, retired, &doc)))
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
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 409, response = inline(Conflict)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[post("/content/{kind}")]
pub async fn create_entity(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<KindPath>,
    body: web::Json<UniqueKeys>,
) -> Result<HttpResponse, ApiError> {
    let kind = path.kind;
    let doc = parse_doc(kind, body.into_inner().0)?;
    let mut tx = state.db.begin().await?;
    store::lock_content(&mut tx).await?;
    let (slug, topic) = slug_of(&doc);
    let key = key_of(&doc);
    let exists = store::exists(&mut tx, kind, topic, slug).await?;
    if exists {
        return Err(ApiError::Conflict(format!(
            "a {} {key:?} already exists (retired ones can be restored)",
            kind.audit_kind()
        )));
    }
    let id = write(&mut tx, kind, &doc).await?;
    let after = load(&mut tx, kind, id).await?;
    let created = entity(kind, id, false, &after);
    audit::record(
        &mut tx,
        &admin,
        kind.audit_kind(),
        Some(id),
        &key,
        AuditAction::Create,
        &audit::diff(None, Some(&created.doc)),
    )
    .await?;
    tx.commit().await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, &created))
}

/// Update a content entity (admin).
///
/// Replaces the editable fields with the body. `If-Match` must carry the ETag from
/// the last read: without it 428, stale 412, so two admins never overwrite each other
/// silently. Slugs do not change (create a new entity and retire the old one).
#[utoipa::path(
    tag = "admin",
    operation_id = "update_content_entity",
    security(("bearer_auth" = [])),
    params(EntityPath, ("If-Match" = String, Header, description = "The entity's ETag")),
    request_body(content = ContentDoc, example = json!({
            "topic": "fundamentals", "slug": "is-vs-equality", "title": "What is the difference between `is` and `==`?",
            "difficulty": "junior", "tags": ["identity", "equality"],
            "prompt": "When does `a is b` differ from `a == b`?",
            "answer": "`==` asks whether the values are equal (`__eq__`); `is` asks whether both names refer to the same object…"
        })),
    responses(
        (status = 200, description = "Updated", body = ContentEntity),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 428, response = inline(PreconditionRequired)),
    )
)]
#[put("/content/{kind}/{key}")]
pub async fn update_entity(
    req: HttpRequest,
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
    body: web::Json<UniqueKeys>,
) -> Result<HttpResponse, ApiError> {
    let kind = path.kind;
    let doc = parse_doc(kind, body.into_inner().0)?;
    let mut tx = state.db.begin().await?;
    store::lock_content(&mut tx).await?;
    let (id, retired) = locate(&mut tx, kind, &path.key).await?;
    let before_doc = load(&mut tx, kind, id).await?;
    let before = entity(kind, id, retired, &before_doc);
    check_if_match(&req, &before)?;
    if retired {
        return Err(ApiError::Conflict(format!("the {} is retired; restore it before editing", kind.audit_kind())));
    }
    if slug_of(&doc) != slug_of(&before_doc) {
        return Err(ApiError::invalid(
            "slug",
            "slugs (and a child's topic) cannot change; create a new entity instead",
        ));
    }
    write(&mut tx, kind, &doc).await?;
    let after = entity(kind, id, false, &load(&mut tx, kind, id).await?);
    let (slug, topic) = slug_of(&doc);
    let key = topic.map_or_else(|| slug.to_owned(), |t| format!("{t}/{slug}"));
    audit::record(
        &mut tx,
        &admin,
        kind.audit_kind(),
        Some(id),
        &key,
        AuditAction::Update,
        &audit::diff(Some(&before.doc), Some(&after.doc)),
    )
    .await?;
    tx.commit().await?;
    Ok(respond(actix_web::http::StatusCode::OK, &after))
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
    set_retired(req, admin, state, path, true).await
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
    set_retired(req, admin, state, path, false).await
}

async fn set_retired(
    req: HttpRequest,
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
    retire: bool,
) -> Result<HttpResponse, ApiError> {
    let kind = path.kind;
    let mut tx = state.db.begin().await?;
    store::lock_content(&mut tx).await?;
    let (id, retired) = locate(&mut tx, kind, &path.key).await?;
    let doc = load(&mut tx, kind, id).await?;
    let before = entity(kind, id, retired, &doc);
    check_if_match(&req, &before)?;
    if retired != retire {
        store::set_retired(&mut tx, kind, id, retire).await?;
        let (slug, topic) = slug_of(&doc);
        let key = topic.map_or_else(|| slug.to_owned(), |t| format!("{t}/{slug}"));
        let action = if retire { AuditAction::Retire } else { AuditAction::Restore };
        let change = serde_json::json!({"retired": {"before": retired, "after": retire}});
        audit::record(&mut tx, &admin, kind.audit_kind(), Some(id), &key, action, &change).await?;
    }
    tx.commit().await?;
    Ok(respond(actix_web::http::StatusCode::OK, &entity(kind, id, retire, &doc)))
}
