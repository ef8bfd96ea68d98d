//! Editing content one entity at a time (admin): read with an ETag, create, update
//! with `If-Match`, retire and restore. Every write builds a bundle and goes through
//! the same validation and upsert as the seed command, inside one transaction holding
//! the content lock, and is recorded in the audit log.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit;
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::content::bundle::{ArticleDoc, Bundle, FlashcardDoc, QuestionDoc, QuizItemDoc, TopicDoc, TrackDoc};
use crate::content::upsert::{self, Scope};
use crate::content::validate::{is_slug, validate_with};
use crate::content::{Problems, SEED_LOCK, export};
use crate::error::{ApiError, FieldError};
use crate::openapi::responses::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    PreconditionRequired, Unauthorized, Unavailable, Unprocessable, UnsupportedMediaType,
};
use crate::web::etag;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_entity)
        .service(create_entity)
        .service(update_entity)
        .service(retire_entity)
        .service(restore_entity);
}

/// The kinds of content an admin edits.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ContentKind {
    Tracks,
    Topics,
    Questions,
    Flashcards,
    QuizItems,
    Articles,
}

impl ContentKind {
    fn audit_kind(self) -> &'static str {
        match self {
            ContentKind::Tracks => "track",
            ContentKind::Topics => "topic",
            ContentKind::Questions => "question",
            ContentKind::Flashcards => "flashcard",
            ContentKind::QuizItems => "quiz_item",
            ContentKind::Articles => "article",
        }
    }

    fn table(self) -> (&'static str, &'static str) {
        match self {
            ContentKind::Tracks => ("track", "track_id"),
            ContentKind::Topics => ("topic", "topic_id"),
            ContentKind::Questions => ("question", "question_id"),
            ContentKind::Flashcards => ("flashcard", "flashcard_id"),
            ContentKind::QuizItems => ("quiz_item", "quiz_item_id"),
            ContentKind::Articles => ("article", "article_id"),
        }
    }

    /// Children are addressed by id, the rest by slug.
    fn by_id(self) -> bool {
        matches!(self, ContentKind::Questions | ContentKind::Flashcards | ContentKind::QuizItems)
    }
}

/// The editable fields of one entity, in the seed-file shape. Children (questions,
/// flashcards, quiz items) also name their `topic` slug.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(untagged)]
pub enum ContentDoc {
    Track(TrackDoc),
    Topic(TopicFields),
    Question(Child<QuestionDoc>),
    Flashcard(Child<FlashcardDoc>),
    QuizItem(Child<QuizItemDoc>),
    Article(ArticleDoc),
}

/// A topic's own fields (its questions, flashcards and quiz items are edited apart).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopicFields {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub key_points: Vec<String>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
}

/// A child entity with the slug of its topic.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Child<T> {
    pub topic: String,
    #[serde(flatten)]
    pub doc: T,
}

/// One entity as an admin sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentEntity {
    pub kind: ContentKind,
    pub id: Uuid,
    pub retired: bool,
    /// The editable fields; send them back (changed) with `PUT` and `If-Match`.
    #[schema(value_type = Object)]
    pub doc: Value,
}

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

/// Finds an entity's id (and whether it is retired) by its key.
async fn locate(conn: &mut PgConnection, kind: ContentKind, key: &str) -> Result<(Uuid, bool), ApiError> {
    let not_found = || ApiError::NotFound(format!("no {} {key:?}", kind.audit_kind()));
    let (table, id_col) = kind.table();
    let row: Option<(Uuid, bool)> = if kind.by_id() {
        let id: Uuid = key.parse().map_err(|_| not_found())?;
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {id_col}, retired_at IS NOT NULL FROM {table} WHERE {id_col} = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        if !is_slug(key) {
            return Err(not_found());
        }
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {id_col}, retired_at IS NOT NULL FROM {table} WHERE slug = $1"
        )))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
    };
    row.ok_or_else(not_found)
}

/// The topic (id, slug) a child belongs to.
async fn parent_topic(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<(Uuid, String)> {
    let (table, id_col) = kind.table();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.topic_id, t.slug FROM {table} x JOIN topic t ON t.topic_id = x.topic_id WHERE x.{id_col} = $1"
    )))
    .bind(id)
    .fetch_one(conn)
    .await
}

/// The current document of an entity (retired or not).
async fn load(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> Result<ContentDoc, ApiError> {
    Ok(match kind {
        ContentKind::Tracks => {
            let slug: String =
                sqlx::query_scalar("SELECT slug FROM track WHERE track_id = $1").bind(id).fetch_one(&mut *conn).await?;
            let (title, summary): (String, String) =
                sqlx::query_as("SELECT title, summary FROM track WHERE track_id = $1")
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?;
            let stages: Vec<(Uuid, String, String, String)> = sqlx::query_as(
                "SELECT stage_id, slug, title, summary FROM stage WHERE track_id = $1 AND retired_at IS NULL ORDER BY position",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let placements: Vec<(Option<Uuid>, bool, String)> = sqlx::query_as(
                r#"SELECT tt.stage_id, tt.elective, t.slug FROM track_topic tt JOIN topic t ON t.topic_id = tt.topic_id
                   WHERE tt.track_id = $1 AND tt.retired_at IS NULL AND t.retired_at IS NULL ORDER BY tt.position"#,
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            ContentDoc::Track(TrackDoc {
                slug,
                title,
                summary,
                stages: stages
                    .into_iter()
                    .map(|(sid, slug, title, summary)| crate::content::bundle::StageDoc {
                        slug,
                        title,
                        summary,
                        topics: placements.iter().filter(|p| p.0 == Some(sid) && !p.1).map(|p| p.2.clone()).collect(),
                    })
                    .collect(),
                electives: placements.iter().filter(|p| p.1).map(|p| p.2.clone()).collect(),
                source: String::new(),
            })
        }
        ContentKind::Topics => {
            let t = export::topic(conn, id).await?;
            ContentDoc::Topic(TopicFields {
                slug: t.slug,
                title: t.title,
                summary: t.summary,
                key_points: t.key_points,
                prerequisites: t.prerequisites,
            })
        }
        ContentKind::Questions | ContentKind::Flashcards | ContentKind::QuizItems => {
            let (topic_id, topic_slug) = parent_topic(conn, kind, id).await?;
            match kind {
                ContentKind::Questions => {
                    let (slug, title, difficulty, tags, position, prompt, answer): (String, String, String, Vec<String>, i32, String, String) =
                        sqlx::query_as("SELECT slug, title, difficulty, tags, position, prompt, answer FROM question WHERE question_id = $1")
                            .bind(id)
                            .fetch_one(&mut *conn)
                            .await?;
                    let _ = topic_id;
                    ContentDoc::Question(Child {
                        topic: topic_slug,
                        doc: QuestionDoc {
                            slug,
                            title,
                            difficulty,
                            tags,
                            order: Some(position),
                            prompt,
                            answer,
                            source: String::new(),
                        },
                    })
                }
                ContentKind::Flashcards => {
                    let (slug, front, back, question): (String, String, String, Option<String>) = sqlx::query_as(
                        r#"SELECT f.slug, f.front, f.back, q.slug FROM flashcard f
                           LEFT JOIN question q ON q.question_id = f.question_id AND q.retired_at IS NULL
                           WHERE f.flashcard_id = $1"#,
                    )
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?;
                    ContentDoc::Flashcard(Child {
                        topic: topic_slug,
                        doc: FlashcardDoc { slug, front, back, question },
                    })
                }
                _ => {
                    #[allow(clippy::type_complexity)]
                    let (slug, qkind, prompt, code, options, correct, explanation, question): (
                        String,
                        String,
                        String,
                        Option<String>,
                        Vec<String>,
                        Vec<i16>,
                        String,
                        Option<String>,
                    ) = sqlx::query_as(
                        r#"SELECT i.slug, i.kind, i.prompt, i.code, i.options, i.correct, i.explanation, q.slug FROM quiz_item i
                           LEFT JOIN question q ON q.question_id = i.question_id AND q.retired_at IS NULL
                           WHERE i.quiz_item_id = $1"#,
                    )
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?;
                    ContentDoc::QuizItem(Child {
                        topic: topic_slug,
                        doc: QuizItemDoc {
                            slug,
                            kind: qkind,
                            prompt,
                            code,
                            options,
                            correct: correct.into_iter().map(i64::from).collect(),
                            explanation,
                            question,
                        },
                    })
                }
            }
        }
        ContentKind::Articles => {
            let (slug, title, summary, body, topics): (String, String, String, String, Vec<String>) = sqlx::query_as(
                r#"SELECT a.slug, a.title, a.summary, a.body,
                          ARRAY(SELECT t.slug FROM article_topic l JOIN topic t ON t.topic_id = l.topic_id
                                WHERE l.article_id = a.article_id ORDER BY l.position)
                   FROM article a WHERE a.article_id = $1"#,
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            ContentDoc::Article(ArticleDoc { slug, title, summary, topics, body, source: String::new() })
        }
    })
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
    if etag::matches(value, &tag_of(current)) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(
            "the entity changed since you read it; GET it again and reapply your change".into(),
        ))
    }
}

/// Parses a body as the document of `kind`, naming the kind in errors.
fn parse_doc(kind: ContentKind, body: Value) -> Result<ContentDoc, ApiError> {
    let invalid =
        |e: serde_json::Error| ApiError::invalid("body", format!("not a valid {} document: {e}", kind.audit_kind()));
    Ok(match kind {
        ContentKind::Tracks => ContentDoc::Track(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Topics => ContentDoc::Topic(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Questions => ContentDoc::Question(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Flashcards => ContentDoc::Flashcard(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::QuizItems => ContentDoc::QuizItem(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Articles => ContentDoc::Article(serde_json::from_value(body).map_err(invalid)?),
    })
}

fn slug_of(doc: &ContentDoc) -> (&str, Option<&str>) {
    match doc {
        ContentDoc::Track(d) => (&d.slug, None),
        ContentDoc::Topic(d) => (&d.slug, None),
        ContentDoc::Question(c) => (&c.doc.slug, Some(&c.topic)),
        ContentDoc::Flashcard(c) => (&c.doc.slug, Some(&c.topic)),
        ContentDoc::QuizItem(c) => (&c.doc.slug, Some(&c.topic)),
        ContentDoc::Article(d) => (&d.slug, None),
    }
}

/// The bundle that writes `doc` (children ride along inside their whole topic).
async fn bundle_for(conn: &mut PgConnection, doc: &ContentDoc) -> Result<Bundle, ApiError> {
    let topic_of = async |conn: &mut PgConnection, slug: &str| -> Result<TopicDoc, ApiError> {
        let id: Option<Uuid> = if is_slug(slug) {
            sqlx::query_scalar("SELECT topic_id FROM topic WHERE slug = $1 AND retired_at IS NULL")
                .bind(slug)
                .fetch_optional(&mut *conn)
                .await?
        } else {
            None
        };
        let id = id.ok_or_else(|| ApiError::invalid("topic", format!("no live topic {slug:?}")))?;
        Ok(export::topic(conn, id).await?)
    };
    let mut bundle = Bundle::default();
    match doc {
        ContentDoc::Track(d) => bundle.tracks.push(d.clone()),
        ContentDoc::Topic(d) => {
            let mut topic = match topic_of(conn, &d.slug).await {
                Ok(existing) => existing,
                Err(_) => TopicDoc {
                    slug: d.slug.clone(),
                    title: String::new(),
                    summary: String::new(),
                    key_points: vec![],
                    prerequisites: vec![],
                    questions: vec![],
                    flashcards: vec![],
                    quiz: vec![],
                    source: String::new(),
                },
            };
            topic.title = d.title.clone();
            topic.summary = d.summary.clone();
            topic.key_points = d.key_points.clone();
            topic.prerequisites = d.prerequisites.clone();
            bundle.topics.push(topic);
        }
        ContentDoc::Question(c) => {
            let mut topic = topic_of(conn, &c.topic).await?;
            match topic.questions.iter_mut().find(|q| q.slug == c.doc.slug) {
                Some(q) => *q = c.doc.clone(),
                None => topic.questions.push(c.doc.clone()),
            }
            bundle.topics.push(topic);
        }
        ContentDoc::Flashcard(c) => {
            let mut topic = topic_of(conn, &c.topic).await?;
            match topic.flashcards.iter_mut().find(|x| x.slug == c.doc.slug) {
                Some(x) => *x = c.doc.clone(),
                None => topic.flashcards.push(c.doc.clone()),
            }
            bundle.topics.push(topic);
        }
        ContentDoc::QuizItem(c) => {
            let mut topic = topic_of(conn, &c.topic).await?;
            match topic.quiz.iter_mut().find(|x| x.slug == c.doc.slug) {
                Some(x) => *x = c.doc.clone(),
                None => topic.quiz.push(c.doc.clone()),
            }
            bundle.topics.push(topic);
        }
        ContentDoc::Article(d) => bundle.articles.push(d.clone()),
    }
    Ok(bundle)
}

/// Validates and applies `doc`; returns the entity's id.
async fn write(conn: &mut PgConnection, kind: ContentKind, doc: &ContentDoc) -> Result<Uuid, ApiError> {
    let bundle = bundle_for(conn, doc).await?;
    let known: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT slug FROM topic WHERE retired_at IS NULL")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let mut problems = Problems::default();
    validate_with(&bundle, &known, &mut problems);
    if !problems.is_empty() {
        let errors = problems.0.iter().map(|p| FieldError::new(p.entry.clone(), p.problem.clone())).collect();
        return Err(ApiError::Validation { detail: "the document is invalid".into(), errors });
    }
    upsert::apply(conn, &bundle, Scope::Bundle).await?;
    let (slug, topic) = slug_of(doc);
    let (table, id_col) = kind.table();
    let id: Uuid = match topic {
        None => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {id_col} FROM {table} WHERE slug = $1")))
                .bind(slug)
                .fetch_one(&mut *conn)
                .await?
        }
        Some(topic) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT x.{id_col} FROM {table} x JOIN topic t ON t.topic_id = x.topic_id WHERE t.slug = $1 AND x.slug = $2"
        )))
        .bind(topic)
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?,
    };
    Ok(id)
}

/// Read one content entity (admin), retired or not, with its ETag.
#[utoipa::path(
    tag = "admin",
    operation_id = "get_content_entity",
    security(("bearer_auth" = [])),
    params(EntityPath),
    responses(
        (status = 200, description = "The entity; `ETag` is what `If-Match` must carry", body = ContentEntity,
         headers(("ETag" = String, description = "Send back as If-Match to update"))),
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
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
    request_body = ContentDoc,
    responses(
        (status = 201, description = "Created", body = ContentEntity),
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 403, response = inline(Forbidden)),
        (status = 409, response = inline(Conflict)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[post("/content/{kind}")]
pub async fn create_entity(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<KindPath>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let kind = path.kind;
    let doc = parse_doc(kind, body.into_inner())?;
    let mut tx = state.db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(SEED_LOCK).execute(&mut *tx).await?;
    let (slug, topic) = slug_of(&doc);
    let key = topic.map_or_else(|| slug.to_owned(), |t| format!("{t}/{slug}"));
    let exists: bool = {
        let (table, _) = kind.table();
        match topic {
            None => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE slug = $1)"))).bind(slug).fetch_one(&mut *tx).await?,
            Some(t) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT EXISTS (SELECT 1 FROM {table} x JOIN topic t ON t.topic_id = x.topic_id WHERE t.slug = $1 AND x.slug = $2)"
            )))
            .bind(t)
            .bind(slug)
            .fetch_one(&mut *tx)
            .await?,
        }
    };
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
        admin.0.id,
        kind.audit_kind(),
        Some(id),
        &key,
        "create",
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
    request_body = ContentDoc,
    responses(
        (status = 200, description = "Updated", body = ContentEntity),
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
        (status = 428, response = inline(PreconditionRequired)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[put("/content/{kind}/{key}")]
pub async fn update_entity(
    req: HttpRequest,
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EntityPath>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let kind = path.kind;
    let doc = parse_doc(kind, body.into_inner())?;
    let mut tx = state.db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(SEED_LOCK).execute(&mut *tx).await?;
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
        admin.0.id,
        kind.audit_kind(),
        Some(id),
        &key,
        "update",
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
        (status = 401, response = inline(Unauthorized)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
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
        (status = 401, response = inline(Unauthorized)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 412, response = inline(PreconditionFailed)),
        (status = 428, response = inline(PreconditionRequired)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
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
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(SEED_LOCK).execute(&mut *tx).await?;
    let (id, retired) = locate(&mut tx, kind, &path.key).await?;
    let doc = load(&mut tx, kind, id).await?;
    let before = entity(kind, id, retired, &doc);
    check_if_match(&req, &before)?;
    if retired != retire {
        let (table, id_col) = kind.table();
        let sql = if retire {
            format!("UPDATE {table} SET retired_at = now(), updated_at = now() WHERE {id_col} = $1")
        } else {
            format!("UPDATE {table} SET retired_at = NULL, updated_at = now() WHERE {id_col} = $1")
        };
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(&mut *tx).await?;
        let (slug, topic) = slug_of(&doc);
        let key = topic.map_or_else(|| slug.to_owned(), |t| format!("{t}/{slug}"));
        let action = if retire { "retire" } else { "restore" };
        let change = serde_json::json!({"retired": {"before": retired, "after": retire}});
        audit::record(&mut tx, admin.0.id, kind.audit_kind(), Some(id), &key, action, &change).await?;
    }
    tx.commit().await?;
    Ok(respond(actix_web::http::StatusCode::OK, &entity(kind, id, retire, &doc)))
}
