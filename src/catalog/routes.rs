//! Public catalogue handlers: parse, call the queries, shape the response.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::queries::{self, QuestionFilter};
use super::roadmap;
use crate::app::AppState;
use crate::auth::MaybeUser;
use crate::content::validate::is_slug;
use crate::error::ApiError;
use crate::openapi::responses::{
    BadRequest, InternalError, NotFound, NotModified, Unauthorized, Unavailable, Unprocessable,
};
use crate::pagination;
use crate::web::etag;

/// Longest search text accepted.
const MAX_SEARCH_LEN: usize = 200;
/// Longest slug-like filter accepted.
const MAX_FILTER_LEN: usize = 80;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_tracks)
        .service(get_track)
        .service(get_topic)
        .service(list_topic_flashcards)
        .service(list_questions)
        .service(get_question)
        .service(list_articles)
        .service(get_article);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrackPath {
    /// Track slug, e.g. `python`.
    #[param(example = "python")]
    track: String,
}

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
    responses(
        (status = 200, description = "All tracks", body = TrackList),
        (status = 304, response = inline(NotModified)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/tracks")]
pub async fn list_tracks(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (tracks, stages, placements) = tokio::try_join!(
        queries::tracks(&state.db),
        queries::stages(&state.db, None),
        queries::placements(&state.db, None)
    )?;
    let items = roadmap::summaries(tracks, &stages, &placements);
    etag::json_response(&req, &TrackList { items, next_cursor: None })
}

/// Get a track's roadmap.
///
/// The whole path in one response: stages in order, each with its topics in order and
/// their content counts, then the electives (outside the critical path). Called with
/// a bearer token, every topic, stage and the track also carry the caller's
/// `progress` (as in `GET /me/tracks/{track}/progress`), so one request draws the
/// filled-in path. Without one, it is the same for everybody.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_track",
    params(TrackPath),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The track's roadmap", body = Roadmap),
        (status = 304, response = inline(NotModified)),
        (status = 401, response = inline(Unauthorized)),
        (status = 404, response = inline(NotFound)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/tracks/{track}")]
pub async fn get_track(
    req: HttpRequest,
    user: MaybeUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    let roadmap = match user.0 {
        None => {
            let track = find_track(&state, &path.track).await?;
            let (stages, placements) = tokio::try_join!(
                queries::stages(&state.db, Some(track.track_id)),
                queries::placements(&state.db, Some(track.track_id))
            )?;
            let stages = stages.into_iter().map(|(_, s)| s).collect();
            roadmap::build(track, stages, &placements)
        }
        Some(user) => {
            let (mut roadmap, inputs) = crate::progress::routes::load(&state, user.id, &path.track).await?;
            crate::progress::fill::overlay(&mut roadmap, &inputs);
            roadmap
        }
    };
    etag::json_response(&req, &roadmap)
}

/// Get a topic of a track.
///
/// Summary, key points, where it sits on the track, prerequisites, its questions in
/// study order (junior first) and its deep-dive articles.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_topic",
    params(TopicPath),
    responses(
        (status = 200, description = "The topic", body = TopicDetail),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/tracks/{track}/topics/{topic}")]
pub async fn get_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<TopicPath>,
) -> Result<HttpResponse, ApiError> {
    let track = find_track(&state, &path.track).await?;
    let topic = find_topic(&state, track.track_id, &path.track, &path.topic).await?;
    let (prerequisites, questions, articles, counts) = tokio::try_join!(
        queries::prerequisites(&state.db, topic.topic_id),
        queries::topic_questions(&state.db, topic.topic_id),
        queries::topic_articles(&state.db, topic.topic_id),
        topic_counts(&state, topic.topic_id),
    )?;
    let questions: Vec<QuestionSummary> = questions.into_iter().map(question_summary).collect::<Result<_, _>>()?;
    let mut by_difficulty = DifficultyCounts::default();
    for q in &questions {
        match q.difficulty {
            Difficulty::Junior => by_difficulty.junior += 1,
            Difficulty::Mid => by_difficulty.mid += 1,
            Difficulty::Senior => by_difficulty.senior += 1,
        }
    }
    let detail = TopicDetail {
        id: topic.topic_id,
        slug: topic.slug,
        title: topic.title,
        summary: topic.summary,
        key_points: topic.key_points,
        track: SlugRef { slug: track.slug, title: track.title },
        stage: topic.stage_slug.zip(topic.stage_title).map(|(slug, title)| SlugRef { slug, title }),
        elective: topic.elective,
        position: topic.position,
        prerequisites: prerequisites.into_iter().map(|(slug, title)| SlugRef { slug, title }).collect(),
        questions,
        articles: articles.into_iter().map(article_summary).collect(),
        counts,
        questions_by_difficulty: by_difficulty,
    };
    etag::json_response(&req, &detail)
}

/// List a topic's flashcards.
///
/// The topic's recall drills in order. Reviewing them on a schedule happens under
/// `/me/reviews`.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_topic_flashcards",
    params(TopicPath),
    responses(
        (status = 200, description = "The topic's flashcards", body = FlashcardList),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/tracks/{track}/topics/{topic}/flashcards")]
pub async fn list_topic_flashcards(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<TopicPath>,
) -> Result<HttpResponse, ApiError> {
    let track = find_track(&state, &path.track).await?;
    let topic = find_topic(&state, track.track_id, &path.track, &path.topic).await?;
    let items = queries::flashcards(&state.db, topic.topic_id)
        .await?
        .into_iter()
        .map(|f| Flashcard {
            id: f.flashcard_id,
            slug: f.slug,
            front: f.front,
            back: f.back,
            question_id: f.question_id,
        })
        .collect();
    etag::json_response(&req, &FlashcardList { items, next_cursor: None })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionQuery {
    /// Only questions of topics on this track (slug).
    #[param(example = "python")]
    track: Option<String>,
    /// Only questions of this topic (slug).
    #[param(example = "fundamentals")]
    topic: Option<String>,
    /// Only questions of this difficulty.
    difficulty: Option<Difficulty>,
    /// Only questions carrying this tag.
    #[param(example = "mutability")]
    tag: Option<String>,
    /// Full-text search over title, prompt and answer (web-search syntax: words,
    /// `"quoted phrases"`, `-excluded`). Results are ranked: an exact title match first.
    #[param(example = "mutable default argument", max_length = 200)]
    q: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

/// Browse or search the question bank.
///
/// Without `q`: questions grouped by topic, in study order within each. With `q`:
/// ranked full-text search. Filters combine; pagination is by opaque cursor.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_questions",
    params(QuestionQuery),
    responses(
        (status = 200, description = "A page of questions", body = QuestionPage),
        (status = 304, response = inline(NotModified)),
        (status = 400, response = inline(BadRequest)),
        (status = 422, response = inline(Unprocessable)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/questions")]
pub async fn list_questions(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<QuestionQuery>,
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
    let page = match text {
        Some(text) => {
            let after: Option<queries::SearchKey> = pagination::after(query.cursor.as_deref())?;
            let mut rows = queries::search_questions(&state.db, text, &filter, after.as_ref(), limit + 1).await?;
            let next = next_cursor(&mut rows, limit, |(_, key)| pagination::encode(key));
            QuestionPage {
                items: rows.into_iter().map(|(q, _)| question_summary(q)).collect::<Result<_, _>>()?,
                next_cursor: next,
            }
        }
        None => {
            let after: Option<queries::BrowseKey> = pagination::after(query.cursor.as_deref())?;
            let mut rows = queries::browse_questions(&state.db, &filter, after.as_ref(), limit + 1).await?;
            let next = next_cursor(&mut rows, limit, |(q, position)| {
                pagination::encode(&(&q.topic_slug, position, q.question_id))
            });
            QuestionPage {
                items: rows.into_iter().map(|(q, _)| question_summary(q)).collect::<Result<_, _>>()?,
                next_cursor: next,
            }
        }
    };
    etag::json_response(&req, &page)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct QuestionPath {
    /// Question id.
    id: Uuid,
}

/// Get one question with its full answer.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_question",
    params(QuestionPath),
    responses(
        (status = 200, description = "The question", body = QuestionDetail),
        (status = 304, response = inline(NotModified)),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/questions/{id}")]
pub async fn get_question(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<QuestionPath>,
) -> Result<HttpResponse, ApiError> {
    let row = queries::question(&state.db, path.id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no question with id {}", path.id)))?;
    let detail = QuestionDetail {
        id: row.question_id,
        slug: row.slug,
        title: row.title,
        difficulty: parse_difficulty(&row.difficulty)?,
        tags: row.tags,
        prompt: row.prompt,
        answer: row.answer,
        topic: SlugRef { slug: row.topic_slug, title: row.topic_title },
        tracks: row.tracks,
        updated_at: row.updated_at,
    };
    etag::json_response(&req, &detail)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Only articles of this topic (slug).
    #[param(example = "concurrency")]
    topic: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

/// List deep-dive articles.
///
/// Ordered by slug; filter by topic.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_articles",
    params(ArticleQuery),
    responses(
        (status = 200, description = "A page of articles", body = ArticlePage),
        (status = 304, response = inline(NotModified)),
        (status = 400, response = inline(BadRequest)),
        (status = 422, response = inline(Unprocessable)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ArticleQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<String> = pagination::after(query.cursor.as_deref())?;
    let topic = bounded_filter("topic", query.topic.as_deref())?;
    let mut rows = queries::articles(&state.db, topic, after.as_deref(), limit + 1).await?;
    let next = next_cursor(&mut rows, limit, |a| pagination::encode(&a.slug));
    etag::json_response(
        &req,
        &ArticlePage { items: rows.into_iter().map(article_summary).collect(), next_cursor: next },
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticlePath {
    /// Article slug.
    #[param(example = "threading-and-the-gil")]
    slug: String,
}

/// Get one article with its body.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_article",
    params(ArticlePath),
    responses(
        (status = 200, description = "The article", body = ArticleDetail),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
        (status = 500, response = inline(InternalError)),
        (status = 503, response = inline(Unavailable)),
    )
)]
#[get("/articles/{slug}")]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<ArticlePath>,
) -> Result<HttpResponse, ApiError> {
    if !is_slug(&path.slug) {
        return Err(ApiError::NotFound(format!("no article with slug {:?}", path.slug)));
    }
    let (article, body, updated_at) = queries::article(&state.db, &path.slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no article with slug {:?}", path.slug)))?;
    let summary = article_summary(article);
    let detail = ArticleDetail {
        id: summary.id,
        slug: summary.slug,
        title: summary.title,
        summary: summary.summary,
        body,
        topics: summary.topics,
        updated_at,
    };
    etag::json_response(&req, &detail)
}

// Slugs that cannot exist are answered without a query (this also keeps NUL bytes and
// megabyte-long path segments away from PostgreSQL).
async fn find_track(state: &AppState, slug: &str) -> Result<queries::TrackRow, ApiError> {
    if !is_slug(slug) {
        return Err(ApiError::NotFound(format!("no track with slug {slug:?}")));
    }
    queries::track_by_slug(&state.db, slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no track with slug {slug:?}")))
}

async fn find_topic(state: &AppState, track_id: Uuid, track: &str, topic: &str) -> Result<queries::TopicRow, ApiError> {
    if !is_slug(topic) {
        return Err(ApiError::NotFound(format!("no topic {topic:?} on track {track:?}")));
    }
    queries::topic_on_track(&state.db, track_id, topic)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no topic {topic:?} on track {track:?}")))
}

async fn topic_counts(state: &AppState, topic_id: Uuid) -> sqlx::Result<TopicCounts> {
    let (questions, flashcards, quiz_items): (i64, i64, i64) = sqlx::query_as(
        r#"SELECT (SELECT count(*) FROM question WHERE topic_id = $1 AND retired_at IS NULL),
                  (SELECT count(*) FROM flashcard WHERE topic_id = $1 AND retired_at IS NULL),
                  (SELECT count(*) FROM quiz_item WHERE topic_id = $1 AND retired_at IS NULL)"#,
    )
    .bind(topic_id)
    .fetch_one(&state.db)
    .await?;
    Ok(TopicCounts { questions, flashcards, quiz_items })
}

/// Trims `rows` to `limit` and returns the cursor of the last kept row when more exist.
fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(key)
    } else {
        None
    }
}

fn bounded_filter<'a>(field: &str, value: Option<&'a str>) -> Result<Option<&'a str>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_FILTER_LEN || v.contains('\0') => {
            Err(ApiError::invalid(field, format!("must be at most {MAX_FILTER_LEN} characters, without NUL")))
        }
        other => Ok(other),
    }
}

fn parse_difficulty(value: &str) -> Result<Difficulty, ApiError> {
    Difficulty::parse(value)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown difficulty {value:?} in the database")))
}

/// A list entry for a question row (borrowed).
pub fn summary_of(row: &queries::QuestionRow) -> Result<QuestionSummary, ApiError> {
    Ok(QuestionSummary {
        id: row.question_id,
        slug: row.slug.clone(),
        title: row.title.clone(),
        difficulty: parse_difficulty(&row.difficulty)?,
        tags: row.tags.clone(),
        topic: SlugRef { slug: row.topic_slug.clone(), title: row.topic_title.clone() },
    })
}

fn question_summary(row: queries::QuestionRow) -> Result<QuestionSummary, ApiError> {
    Ok(QuestionSummary {
        id: row.question_id,
        slug: row.slug,
        title: row.title,
        difficulty: parse_difficulty(&row.difficulty)?,
        tags: row.tags,
        topic: SlugRef { slug: row.topic_slug, title: row.topic_title },
    })
}

fn article_summary(row: queries::ArticleRow) -> ArticleSummary {
    ArticleSummary {
        id: row.article_id,
        slug: row.slug,
        title: row.title,
        summary: row.summary,
        topics: row
            .topic_slugs
            .into_iter()
            .zip(row.topic_titles)
            .map(|(slug, title)| SlugRef { slug, title })
            .collect(),
    }
}
