//! Public catalogue handlers: parse, call the queries, shape the response.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::store::{self, QuestionFilter};
use super::{service, views};
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, NotFound, NotModified, Unauthorized, Unprocessable};
use crate::pagination;
use crate::preview::{self, Preview, PreviewParams};
use crate::slug::Slug;
use crate::state::AppState;
use crate::web::etag;

/// Longest search text accepted.
const MAX_SEARCH_LEN: usize = 200;
/// Longest slug-like filter accepted.
const MAX_FILTER_LEN: usize = 80;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TopicPath {
    /// Track slug, e.g. `python`.
    #[param(example = "python")]
    track: String,
    /// Topic slug, e.g. `fundamentals`.
    #[param(example = "fundamentals")]
    topic: String,
}

/// List the study tracks.
///
/// Every live track with its stage count and content counts, ordered by title.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_tracks",
    security(()),
    params(PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 401, response = inline(Unauthorized)),
        (status = 200, description = "All tracks", body = TrackList),
        (status = 304, response = inline(NotModified)),
    )
)]
#[get("")]
pub async fn list_tracks(
    req: HttpRequest,
    state: web::Data<AppState>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    if let Some(mut tx) = preview.0 {
        let list = views::track_list(&mut tx).await?;
        tx.rollback().await?;
        return Ok(preview::respond(&list));
    }
    let rendered = state
        .cache
        .rendered("tracks", || async {
            etag::render(
                &state.reads.run(|db| async move { views::track_list(&mut *db.acquire().await?).await }).await?,
            )
        })
        .await?;
    Ok(etag::cached(&req, &rendered))
}

/// Get a topic of a track.
///
/// Summary, key points, where it sits on the track, prerequisites, its questions in
/// study order (junior first) and its deep-dive articles.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_topic",
    security(()),
    params(TopicPath, PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 401, response = inline(Unauthorized)),
        (status = 200, description = "The topic", body = TopicDetail),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/topics/{topic}")]
pub async fn get_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<TopicPath>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let (track, topic) = &slugs(&path.track, &path.topic)?;
    if let Some(mut tx) = preview.0 {
        let detail = views::topic_detail(&mut tx, track, topic).await?;
        tx.rollback().await?;
        return Ok(preview::respond(&detail.ok_or_else(|| topic_not_found(track, topic))?));
    }
    let rendered = state
        .cache
        .rendered(&format!("topic/{track}/{topic}"), || async {
            let detail = state
                .reads
                .run(|db| async move { views::topic_detail(&mut *db.acquire().await?, track, topic).await })
                .await?;
            etag::render(&detail.ok_or_else(|| topic_not_found(track, topic))?)
        })
        .await?;
    Ok(etag::cached(&req, &rendered))
}

/// List a topic's flashcards.
///
/// The topic's recall drills in order. Reviewing them on a schedule happens under
/// `/me/reviews`.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_topic_flashcards",
    security(()),
    params(TopicPath, PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 401, response = inline(Unauthorized)),
        (status = 200, description = "The topic's flashcards", body = FlashcardList),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/topics/{topic}/flashcards")]
pub async fn list_topic_flashcards(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<TopicPath>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let (track, topic) = &slugs(&path.track, &path.topic)?;
    if let Some(mut tx) = preview.0 {
        let list = views::topic_flashcards(&mut tx, track, topic).await?;
        tx.rollback().await?;
        return Ok(preview::respond(&list.ok_or_else(|| topic_not_found(track, topic))?));
    }
    let rendered = state
        .cache
        .rendered(&format!("flashcards/{track}/{topic}"), || async {
            let list = state
                .reads
                .run(|db| async move { views::topic_flashcards(&mut *db.acquire().await?, track, topic).await })
                .await?;
            etag::render(&list.ok_or_else(|| topic_not_found(track, topic))?)
        })
        .await?;
    Ok(etag::cached(&req, &rendered))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionQuery {
    /// Only questions of topics on this track (slug).
    #[param(example = "python", max_length = 80, pattern = r"^[^\x00]*$")]
    track: Option<String>,
    /// Only questions of this topic (slug).
    #[param(example = "fundamentals", max_length = 80, pattern = r"^[^\x00]*$")]
    topic: Option<String>,
    /// Only questions of this difficulty.
    difficulty: Option<Difficulty>,
    /// Only questions carrying this tag.
    #[param(example = "mutability", max_length = 80, pattern = r"^[^\x00]*$")]
    tag: Option<String>,
    /// Full-text search over title, prompt and answer (web-search syntax: words,
    /// `"quoted phrases"`, `-excluded`). Results are ranked: an exact title match first.
    #[param(example = "mutable default argument", max_length = 200, pattern = r"^[^\x00]*$")]
    q: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page. Opaque: pass it back unchanged; a value
    /// the server did not issue is a 400 (the list never silently restarts).
    cursor: Option<String>,
}

/// Browse or search the question bank.
///
/// Without `q`: questions grouped by topic, in study order within each. With `q`:
/// ranked full-text search. Filters combine; pagination is by opaque cursor. With a
/// preview token, drafts it covers are listed and searched as if published.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_questions",
    security(()),
    params(QuestionQuery, PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 200, description = "A page of questions", body = QuestionPage),
        (status = 304, response = inline(NotModified)),
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("")]
pub async fn list_questions(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<QuestionQuery>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let filter = QuestionFilter {
        track: bounded_filter("track", query.track.as_deref())?,
        topic: bounded_filter("topic", query.topic.as_deref())?,
        difficulty: query.difficulty.map(Difficulty::as_str),
        tag: bounded_filter("tag", query.tag.as_deref())?,
    };
    let text = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if let Some(text) = text {
        if text.chars().count() > MAX_SEARCH_LEN {
            return Err(ApiError::invalid("q", format!("must be at most {MAX_SEARCH_LEN} characters")));
        }
        if text.contains('\0') {
            return Err(ApiError::invalid("q", "must not contain NUL characters"));
        }
    }
    let filter = &filter;
    let previewing = preview.0.is_some();
    let page = match text {
        Some(text) => {
            let after: Option<store::SearchKey> = pagination::after(query.cursor.as_deref())?;
            let after = after.as_ref();
            let mut rows = match preview.0 {
                Some(mut tx) => {
                    let rows = store::search_questions(&mut *tx, text, filter, after, limit + 1).await?;
                    tx.rollback().await?;
                    rows
                }
                None => {
                    state
                        .reads
                        .run(|db| async move { store::search_questions(&db, text, filter, after, limit + 1).await })
                        .await?
                }
            };
            let next = pagination::next_cursor(&mut rows, limit, |(_, key)| pagination::encode(key));
            QuestionPage {
                items: rows.iter().map(|(q, _)| views::summary_of(q)).collect::<Result<_, _>>()?,
                next_cursor: next,
            }
        }
        None => {
            let after: Option<store::BrowseKey> = pagination::after(query.cursor.as_deref())?;
            let after = after.as_ref();
            let mut rows = match preview.0 {
                Some(mut tx) => {
                    let rows = store::browse_questions(&mut *tx, filter, after, limit + 1).await?;
                    tx.rollback().await?;
                    rows
                }
                None => {
                    state
                        .reads
                        .run(|db| async move { store::browse_questions(&db, filter, after, limit + 1).await })
                        .await?
                }
            };
            let next = pagination::next_cursor(&mut rows, limit, |(q, position)| {
                pagination::encode(&(&q.topic_slug, position, q.question_id))
            });
            QuestionPage {
                items: rows.iter().map(|(q, _)| views::summary_of(q)).collect::<Result<_, _>>()?,
                next_cursor: next,
            }
        }
    };
    if previewing { Ok(preview::respond(&page)) } else { etag::json_response(&req, &page) }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct QuestionPath {
    /// Question id.
    id: Uuid,
}

/// Get one question with its full answer.
///
/// The prompt and the written answer (Markdown with code blocks), the topic it belongs
/// to and the tracks that topic sits on. Retired questions are 404. With a bearer
/// token the answer is the same; the caller's mark is under `/me`.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_question",
    security(()),
    params(QuestionPath, PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 401, response = inline(Unauthorized)),
        (status = 200, description = "The question", body = QuestionDetail),
        (status = 304, response = inline(NotModified)),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/{id}")]
pub async fn get_question(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<QuestionPath>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    if let Some(mut tx) = preview.0 {
        let detail = views::question_detail(&mut tx, id).await?;
        tx.rollback().await?;
        return Ok(preview::respond(&detail.ok_or_else(|| ApiError::NotFound(format!("no question with id {id}")))?));
    }
    let rendered = state
        .cache
        .rendered(&format!("question/{id}"), || async {
            let detail = state
                .reads
                .run(|db| async move { views::question_detail(&mut *db.acquire().await?, id).await })
                .await?;
            etag::render(&detail.ok_or_else(|| ApiError::NotFound(format!("no question with id {id}")))?)
        })
        .await?;
    Ok(etag::cached(&req, &rendered))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Only articles of this topic (slug).
    #[param(example = "concurrency", max_length = 80, pattern = r"^[^\x00]*$")]
    topic: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page. Opaque: pass it back unchanged; a value
    /// the server did not issue is a 400 (the list never silently restarts).
    cursor: Option<String>,
}

/// List deep-dive articles.
///
/// Ordered by slug; filter by topic. With a preview token, draft articles it covers
/// are listed as if published.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_articles",
    security(()),
    params(ArticleQuery, PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 200, description = "A page of articles", body = ArticlePage),
        (status = 304, response = inline(NotModified)),
        (status = 400, response = inline(BadRequest)),
        (status = 401, response = inline(Unauthorized)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("")]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ArticleQuery>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<String> = pagination::after(query.cursor.as_deref())?;
    let topic = bounded_filter("topic", query.topic.as_deref())?;
    let after = after.as_deref();
    let previewing = preview.0.is_some();
    let mut rows = match preview.0 {
        Some(mut tx) => {
            let rows = store::articles(&mut *tx, topic, after, limit + 1).await?;
            tx.rollback().await?;
            rows
        }
        None => state.reads.run(|db| async move { store::articles(&db, topic, after, limit + 1).await }).await?,
    };
    let next = pagination::next_cursor(&mut rows, limit, |a| pagination::encode(&a.slug));
    let page = ArticlePage { items: rows.into_iter().map(views::article_summary).collect(), next_cursor: next };
    if previewing { Ok(preview::respond(&page)) } else { etag::json_response(&req, &page) }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticlePath {
    /// Article slug.
    #[param(example = "threading-and-the-gil")]
    slug: String,
}

/// Get one article with its body.
///
/// A deep-dive article (Markdown) and the topics it supports. Retired articles are 404.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_article",
    security(()),
    params(ArticlePath, PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    responses(
        (status = 401, response = inline(Unauthorized)),
        (status = 200, description = "The article", body = ArticleDetail),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/{slug}")]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<ArticlePath>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let slug =
        &Slug::parse(&path.slug).ok_or_else(|| ApiError::NotFound(format!("no article with slug {:?}", path.slug)))?;
    if let Some(mut tx) = preview.0 {
        let detail = views::article_detail(&mut tx, slug).await?;
        tx.rollback().await?;
        return Ok(preview::respond(
            &detail.ok_or_else(|| ApiError::NotFound(format!("no article with slug {slug:?}")))?,
        ));
    }
    let rendered = state
        .cache
        .rendered(&format!("article/{slug}"), || async {
            let detail = state
                .reads
                .run(|db| async move { views::article_detail(&mut *db.acquire().await?, slug).await })
                .await?;
            etag::render(&detail.ok_or_else(|| ApiError::NotFound(format!("no article with slug {slug:?}")))?)
        })
        .await?;
    Ok(etag::cached(&req, &rendered))
}

fn topic_not_found(track: &str, topic: &str) -> ApiError {
    ApiError::NotFound(format!("no topic {topic:?} on track {track:?}"))
}

/// Parses a track and topic key; keys that cannot exist are answered without a query
/// (this also keeps NUL bytes and megabyte-long path segments away from PostgreSQL
/// and out of the cache).
fn slugs(track: &str, topic: &str) -> Result<(Slug, Slug), ApiError> {
    let track_slug = service::track_slug(track)?;
    let topic = Slug::parse(topic).ok_or_else(|| topic_not_found(track, topic))?;
    Ok((track_slug, topic))
}

fn bounded_filter<'a>(field: &str, value: Option<&'a str>) -> Result<Option<&'a str>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_FILTER_LEN || v.contains('\0') => {
            Err(ApiError::invalid(field, format!("must be at most {MAX_FILTER_LEN} characters, without NUL")))
        }
        other => Ok(other),
    }
}
