//! Review handlers: what is due, record a review (idempotently), statistics.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use sqlx::FromRow;
use time::OffsetDateTime;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::schedule::{self, CardMemory};
use crate::auth::{AuthUser, store as users};
use crate::catalog::model::{Flashcard, SlugRef};
use crate::catalog::queries;
use crate::content::validate::is_slug;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType};
use crate::progress::activity;
use crate::state::AppState;
use crate::web::private_ok;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(due_cards).service(record_review).service(review_stats);
}

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

#[derive(FromRow)]
struct CardRow {
    flashcard_id: Uuid,
    slug: String,
    front: String,
    back: String,
    question_id: Option<Uuid>,
    topic_slug: String,
    topic_title: String,
    state: Option<String>,
    due_at: Option<OffsetDateTime>,
}

/// Topic ids in scope, in roadmap order when a track is given.
async fn scope(state: &AppState, track: Option<&str>, topic: Option<&str>) -> Result<Vec<Uuid>, ApiError> {
    let mut ids: Vec<Uuid> = match track {
        Some(track) => {
            let not_found = || ApiError::NotFound(format!("no track with slug {track:?}"));
            if !is_slug(track) {
                return Err(not_found());
            }
            let row = queries::track_by_slug(&state.db, track).await?.ok_or_else(not_found)?;
            queries::placements(&state.db, Some(row.track_id)).await?.into_iter().map(|p| p.topic_id).collect()
        }
        None => {
            sqlx::query_scalar("SELECT topic_id FROM topic WHERE retired_at IS NULL ORDER BY slug")
                .fetch_all(&state.db)
                .await?
        }
    };
    if let Some(topic) = topic {
        let id: Option<Uuid> = if is_slug(topic) {
            sqlx::query_scalar("SELECT topic_id FROM topic WHERE slug = $1 AND retired_at IS NULL")
                .bind(topic)
                .fetch_optional(&state.db)
                .await?
        } else {
            None
        };
        let id = id
            .filter(|id| ids.contains(id))
            .ok_or_else(|| ApiError::NotFound(format!("no topic {topic:?} in scope")))?;
        ids = vec![id];
    }
    Ok(ids)
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
#[get("/me/reviews/due")]
pub async fn due_cards(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<DueQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = crate::pagination::limit(query.limit)?;
    let account = users::current(&state.db, user.id).await?;
    let topics = scope(&state, query.track.as_deref(), query.topic.as_deref()).await?;
    let now = state.clock.now();
    let due: Vec<CardRow> = sqlx::query_as(
        r#"SELECT f.flashcard_id, f.slug, f.front, f.back, f.question_id, t.slug AS topic_slug, t.title AS topic_title,
                  c.state, c.due_at
           FROM card_state c
           JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
           JOIN topic t ON t.topic_id = f.topic_id AND t.retired_at IS NULL
           WHERE c.user_id = $1 AND c.due_at <= $2 AND f.topic_id = ANY ($3)
           ORDER BY c.due_at, f.flashcard_id LIMIT $4"#,
    )
    .bind(user.id)
    .bind(now)
    .bind(&topics)
    .bind(limit)
    .fetch_all(&state.db)
    .await?;
    let started_today: i64 = sqlx::query_scalar(
        r#"SELECT count(*) FROM card_state
           WHERE user_id = $1 AND (first_reviewed_at AT TIME ZONE $2)::date = ($3::timestamptz AT TIME ZONE $2)::date"#,
    )
    .bind(user.id)
    .bind(&account.timezone)
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    let new_remaining = (i64::from(account.new_cards_per_day) - started_today).max(0);
    let room = (limit - due.len() as i64).min(new_remaining).max(0);
    let fresh: Vec<CardRow> = sqlx::query_as(
        r#"SELECT f.flashcard_id, f.slug, f.front, f.back, f.question_id, t.slug AS topic_slug, t.title AS topic_title,
                  NULL::text AS state, NULL::timestamptz AS due_at
           FROM flashcard f
           JOIN topic t ON t.topic_id = f.topic_id AND t.retired_at IS NULL
           LEFT JOIN card_state c ON c.flashcard_id = f.flashcard_id AND c.user_id = $1
           WHERE c.flashcard_id IS NULL AND f.retired_at IS NULL AND f.topic_id = ANY ($2)
           ORDER BY array_position($2, f.topic_id), f.position, f.slug LIMIT $3"#,
    )
    .bind(user.id)
    .bind(&topics)
    .bind(room)
    .fetch_all(&state.db)
    .await?;
    let items = due
        .into_iter()
        .chain(fresh)
        .map(|r| DueCard {
            overdue_days: r.due_at.map_or(0.0, |d| ((now - d).as_seconds_f64() / 86_400.0 * 100.0).round() / 100.0),
            state: r.state.as_deref().and_then(CardState::parse).unwrap_or(CardState::New),
            due_at: r.due_at,
            topic: SlugRef { slug: r.topic_slug, title: r.topic_title },
            flashcard: Flashcard {
                id: r.flashcard_id,
                slug: r.slug,
                front: r.front,
                back: r.back,
                question_id: r.question_id,
            },
        })
        .collect();
    Ok(private_ok().json(DueCards { items, new_remaining_today: new_remaining, next_cursor: None }))
}

#[derive(FromRow)]
struct StateRow {
    state: String,
    stability: f32,
    difficulty: f32,
    last_reviewed_at: OffsetDateTime,
    reps: i32,
    lapses: i32,
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
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[post("/me/reviews")]
pub async fn record_review(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let live: bool = sqlx::query_scalar(
        r#"SELECT EXISTS (SELECT 1 FROM flashcard f JOIN topic t ON t.topic_id = f.topic_id
                          WHERE f.flashcard_id = $1 AND f.retired_at IS NULL AND t.retired_at IS NULL)"#,
    )
    .bind(body.flashcard_id)
    .fetch_one(&state.db)
    .await?;
    if !live {
        return Err(ApiError::NotFound(format!("no flashcard with id {}", body.flashcard_id)));
    }
    let account = users::current(&state.db, user.id).await?;
    let mut tx = state.db.begin().await?;
    // Serialise every review of this learner: retries of one review id (or two devices
    // reviewing at once) apply exactly once, in order.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7))").bind(user.id).execute(&mut *tx).await?;
    let replay: Option<(Uuid, sqlx::types::Json<ReviewOutcome>)> =
        sqlx::query_as("SELECT user_id, response FROM review_log WHERE review_id = $1")
            .bind(body.review_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((owner, response)) = replay {
        if owner != user.id {
            return Err(ApiError::Conflict("this review_id is already used; generate a new one".into()));
        }
        return Ok(private_ok().json(response.0));
    }
    let current: Option<StateRow> = sqlx::query_as(
        "SELECT state, stability, difficulty, last_reviewed_at, reps, lapses FROM card_state WHERE user_id = $1 AND flashcard_id = $2",
    )
    .bind(user.id)
    .bind(body.flashcard_id)
    .fetch_optional(&mut *tx)
    .await?;
    let memory = current.map(|c| CardMemory {
        state: CardState::parse(&c.state).unwrap_or(CardState::Review),
        stability: c.stability,
        difficulty: c.difficulty,
        last_reviewed_at: c.last_reviewed_at,
        reps: c.reps,
        lapses: c.lapses,
    });
    let now = state.clock.now();
    let step = schedule::review(memory.as_ref(), body.rating, now, account.desired_retention)?;
    sqlx::query(
        r#"INSERT INTO card_state (user_id, flashcard_id, state, stability, difficulty, due_at, last_reviewed_at,
                                   first_reviewed_at, reps, lapses)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
           ON CONFLICT (user_id, flashcard_id) DO UPDATE
           SET state = excluded.state, stability = excluded.stability, difficulty = excluded.difficulty,
               due_at = excluded.due_at, last_reviewed_at = excluded.last_reviewed_at, reps = excluded.reps,
               lapses = excluded.lapses"#,
    )
    .bind(user.id)
    .bind(body.flashcard_id)
    .bind(step.memory.state.as_str())
    .bind(step.memory.stability)
    .bind(step.memory.difficulty)
    .bind(step.due_at)
    .bind(now)
    .bind(step.memory.reps)
    .bind(step.memory.lapses)
    .execute(&mut *tx)
    .await?;
    let outcome = ReviewOutcome {
        review_id: body.review_id,
        flashcard_id: body.flashcard_id,
        rating: body.rating,
        reviewed_at: now,
        state: step.memory.state,
        due_at: step.due_at,
        interval_days: (step.interval_days * 10_000.0).round() / 10_000.0,
        intervals: RatingIntervals {
            again: (step.intervals.again * 10_000.0).round() / 10_000.0,
            hard: (step.intervals.hard * 10_000.0).round() / 10_000.0,
            good: (step.intervals.good * 10_000.0).round() / 10_000.0,
            easy: (step.intervals.easy * 10_000.0).round() / 10_000.0,
        },
        stability: f64::from(step.memory.stability),
        difficulty: f64::from(step.memory.difficulty),
        reps: step.memory.reps,
        lapses: step.memory.lapses,
    };
    sqlx::query(
        r#"INSERT INTO review_log (review_id, user_id, flashcard_id, rating, reviewed_at, state_before, response)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
    )
    .bind(body.review_id)
    .bind(user.id)
    .bind(body.flashcard_id)
    .bind(body.rating.as_str())
    .bind(now)
    .bind(memory.map_or("new", |m| m.state.as_str()))
    .bind(sqlx::types::Json(&outcome))
    .execute(&mut *tx)
    .await?;
    activity::record(&mut tx, user.id, "review").await?;
    tx.commit().await?;
    Ok(private_ok().json(outcome))
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
#[get("/me/reviews/stats")]
pub async fn review_stats(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let account = users::current(&state.db, user.id).await?;
    let now = state.clock.now();
    let per_day: Vec<(time::Date, i64)> = sqlx::query_as(
        r#"SELECT (reviewed_at AT TIME ZONE $2)::date AS day, count(*) FROM review_log
           WHERE user_id = $1 AND reviewed_at > $3::timestamptz - interval '30 days'
           GROUP BY day ORDER BY day"#,
    )
    .bind(user.id)
    .bind(&account.timezone)
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let (total, kept, total_30, kept_30): (i64, i64, i64, i64) = sqlx::query_as(
        r#"SELECT count(*), count(*) FILTER (WHERE rating <> 'again'),
                  count(*) FILTER (WHERE reviewed_at > $2::timestamptz - interval '30 days'),
                  count(*) FILTER (WHERE rating <> 'again' AND reviewed_at > $2::timestamptz - interval '30 days')
           FROM review_log WHERE user_id = $1"#,
    )
    .bind(user.id)
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    let (live, learning, review, relearning): (i64, i64, i64, i64) = sqlx::query_as(
        r#"SELECT (SELECT count(*) FROM flashcard f JOIN topic t ON t.topic_id = f.topic_id
                   WHERE f.retired_at IS NULL AND t.retired_at IS NULL),
                  count(*) FILTER (WHERE c.state = 'learning'),
                  count(*) FILTER (WHERE c.state = 'review'),
                  count(*) FILTER (WHERE c.state = 'relearning')
           FROM card_state c JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
           WHERE c.user_id = $1"#,
    )
    .bind(user.id)
    .fetch_one(&state.db)
    .await?;
    let share = |k: i64, t: i64| (t > 0).then(|| (k as f64 / t as f64 * 10_000.0).round() / 10_000.0);
    Ok(private_ok().json(ReviewStats {
        per_day: per_day.into_iter().map(|(d, n)| ReviewDay { date: d.to_string(), reviews: n }).collect(),
        reviews_total: total,
        retention: share(kept, total),
        retention_30d: share(kept_30, total_30),
        cards_by_state: CardsByState {
            new: (live - learning - review - relearning).max(0),
            learning,
            review,
            relearning,
        },
        desired_retention: (f64::from(account.desired_retention) * 1000.0).round() / 1000.0,
        new_cards_per_day: account.new_cards_per_day,
    }))
}
