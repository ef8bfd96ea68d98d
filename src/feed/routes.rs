//! The change-feed handler.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{ContentFeedPage, FeedPage};
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, NotFound, Unprocessable};
use crate::state::AppState;
use crate::web::private_ok;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_cursor` of the previous page; leave out to start from the beginning.
    since: Option<String>,
    /// FeedPage per page, 1 to 500 (default 500).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The learner's changes since a cursor.
///
/// Every change to the learner's own state (question and topic marks, flashcard
/// schedules, notes, bookmarks, goals), deletions as tombstones, in one ordered stream,
/// whichever device or instance made them. Apply the changes in order, keep
/// `next_cursor`, and poll again with it (an empty page keeps the cursor). The order is
/// by transaction, and a change becomes visible only once every transaction older than
/// it has finished: so a change that commits late is never skipped, at the price of
/// lagging behind the oldest transaction still open. `state` is each entity as it
/// stands now. A cursor the server did not make is a 400.
#[utoipa::path(
    tag = "progress",
    operation_id = "list_changes",
    security(("bearer_auth" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes", body = FeedPage),
        (status = 400, response = inline(BadRequest)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::changes(&state, user.id, query.since.as_deref(), query.limit).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrackPath {
    /// Track slug.
    track: String,
}

/// A track's content changes since a cursor.
///
/// Content created, updated, retired or restored since `since` (from the beginning
/// without one) that concerns the track: the track and its stages, its topics and
/// their places on it, their questions, flashcards and quiz items, and articles. Re-fetch
/// each by id (or drop it locally when `retired`) to keep an offline copy current
/// without downloading the track again. Same commit-safe order and cursors as
/// `GET /me/changes`. A re-seed of unchanged files adds nothing.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_track_changes",
    security(()),
    params(TrackPath, ChangesQuery),
    responses(
        (status = 200, description = "A page of content changes", body = ContentFeedPage),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/changes")]
pub async fn list_track_changes(
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let track = crate::catalog::service::track_slug(&path.track)?;
    let page = service::content_changes(&state, &track, query.since.as_deref(), query.limit).await?;
    Ok(crate::web::no_store(actix_web::http::StatusCode::OK).json(page))
}
