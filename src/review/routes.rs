//! Review handlers: what is due, record a review (idempotently), statistics.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, NotFound, Unprocessable};
use crate::state::AppState;
use crate::web::private_ok;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Only cards of topics on this track; new cards then come in its roadmap order.
    #[param(example = "python")]
    track: Option<String>,
    /// Only cards of this topic.
    #[param(example = "fundamentals")]
    topic: Option<String>,
    /// At most this many cards, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
}

/// Cards to review now.
///
/// Cards due now, most overdue first; then new cards in roadmap order (with `track`;
/// otherwise by topic), as many as the daily new-card cap (`new_cards_per_day` on the
/// account, default 20) still allows today in the account's time zone.
#[utoipa::path(
    tag = "reviews",
    operation_id = "list_due_cards",
    security(("bearer_auth" = [])),
    params(DueQuery),
    responses(
        (status = 200, description = "Cards to review", body = DueCards),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/reviews/due")]
pub async fn due_cards(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<DueQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = crate::pagination::limit(query.limit)?;
    let topics = service::scope(&state, query.track.as_deref(), query.topic.as_deref()).await?;
    Ok(private_ok().json(service::due_cards(&state, user.id, &topics, limit).await?))
}

/// Record a review.
///
/// Applies the FSRS schedule to the card for the rating, logs the review and returns
/// the card's next due time and the interval each rating would have given. The
/// `review_id` comes from the client: retrying with the same id (a flaky network)
/// applies nothing new and returns the first answer, even under concurrent retries.
#[utoipa::path(
    tag = "reviews",
    operation_id = "record_review",
    security(("bearer_auth" = [])),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "The card's new schedule", body = ReviewOutcome),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/reviews")]
pub async fn record_review(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::record(&state, user.id, &body).await?))
}

/// Review statistics.
///
/// Reviews per day (last 30 days), retention (the share of reviews not rated
/// `again`), and cards by state across all live flashcards.
#[utoipa::path(
    tag = "reviews",
    operation_id = "get_review_stats",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "Statistics", body = ReviewStats),
    )
)]
#[get("/reviews/stats")]
pub async fn review_stats(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::stats(&state, user.id).await?))
}
