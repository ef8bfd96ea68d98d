//! Review use cases: the due list under the daily new-card cap, recording a review
//! exactly once, and the statistics.

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::*;
use super::schedule;
use super::store::{self, CardRow};
use crate::catalog::model::{Flashcard, SlugRef};
use crate::catalog::store as catalog_store;
use crate::error::ApiError;
use crate::progress::activity;
use crate::slug::is_slug;
use crate::state::AppState;
use crate::webhooks::events::{self, EventType};
use crate::webhooks::model::LearnerEventData;

/// Topic ids in scope, in roadmap order when a track is given.
pub async fn scope(state: &AppState, track: Option<&str>, topic: Option<&str>) -> Result<Vec<Uuid>, ApiError> {
    let mut ids: Vec<Uuid> = match track {
        Some(track) => {
            let not_found = || ApiError::NotFound(format!("no track with slug {track:?}"));
            if !is_slug(track) {
                return Err(not_found());
            }
            let row = catalog_store::track_by_slug(&state.db, track).await?.ok_or_else(not_found)?;
            catalog_store::placements(&state.db, Some(row.track_id)).await?.into_iter().map(|p| p.topic_id).collect()
        }
        None => store::live_topic_ids(&state.db).await?,
    };
    if let Some(topic) = topic {
        let id = if is_slug(topic) { store::live_topic_id(&state.db, topic).await? } else { None };
        let id = id
            .filter(|id| ids.contains(id))
            .ok_or_else(|| ApiError::NotFound(format!("no topic {topic:?} in scope")))?;
        ids = vec![id];
    }
    Ok(ids)
}

/// Cards due now, most overdue first, then new cards in `topics` order as far as the
/// day's new-card cap (in the account's time zone) allows; at most `limit` in all.
pub async fn due_cards(state: &AppState, user_id: Uuid, topics: &[Uuid], limit: i64) -> Result<DueCards, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let now = state.clock.now();
    let due = store::due(&state.db, user_id, topics, now, limit).await?;
    let started_today = store::started_on_the_day(&state.db, user_id, &account.timezone, now).await?;
    let new_remaining = (i64::from(account.new_cards_per_day) - started_today).max(0);
    let room = (limit - due.len() as i64).min(new_remaining).max(0);
    let fresh = store::unseen(&state.db, user_id, topics, room).await?;
    let parameters = account.fsrs_parameters.as_deref().unwrap_or_default();
    let items = due
        .into_iter()
        .chain(fresh)
        .map(|row| due_card(row, now, account.desired_retention, parameters))
        .collect::<anyhow::Result<_>>()?;
    Ok(DueCards { items, new_remaining_today: new_remaining, next_cursor: None })
}

fn rounded(days: f64) -> f64 {
    (days * 10_000.0).round() / 10_000.0
}

/// A card of the queue, with the interval each rating would give if reviewed now (what
/// a client shows on the rating buttons).
fn due_card(r: CardRow, now: OffsetDateTime, retention: f32, parameters: &[f32]) -> anyhow::Result<DueCard> {
    let state = r.state.as_deref().and_then(CardState::parse).unwrap_or(CardState::New);
    let memory = match (r.stability, r.difficulty, r.last_reviewed_at) {
        (Some(stability), Some(difficulty), Some(last_reviewed_at)) => Some(schedule::CardMemory {
            state,
            stability,
            difficulty,
            last_reviewed_at,
            reps: r.reps.unwrap_or(0),
            lapses: r.lapses.unwrap_or(0),
        }),
        _ => None,
    };
    let step = schedule::review(memory.as_ref(), Rating::Good, now, retention, parameters)?;
    let intervals = RatingIntervals {
        again: rounded(step.intervals.again),
        hard: rounded(step.intervals.hard),
        good: rounded(step.intervals.good),
        easy: rounded(step.intervals.easy),
    };
    Ok(DueCard {
        intervals,
        overdue_days: r.due_at.map_or(0.0, |d| ((now - d).as_seconds_f64() / 86_400.0 * 100.0).round() / 100.0),
        state,
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
}

fn to_micros(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t)
}

/// How far ahead of the server a device clock may be.
const MAX_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// Applies a review once: the card's new FSRS memory, the log entry and the activity,
/// in one transaction under the learner's review lock. A retry of the same
/// `review_id` by its owner gets the first answer; by anyone else, a 409.
pub async fn record(state: &AppState, user_id: Uuid, review: &ReviewRequest) -> Result<ReviewOutcome, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let mut tx = state.db.begin().await?;
    let (outcome, _) = apply(&mut tx, state.clock.now(), &account, review).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`record`] on the caller's connection (a sync batch applies many in one
/// transaction): the outcome, and whether it was recorded before (a retry).
pub async fn apply(
    tx: &mut sqlx::PgConnection,
    now: OffsetDateTime,
    account: &crate::auth::store::UserRow,
    review: &ReviewRequest,
) -> Result<(ReviewOutcome, bool), ApiError> {
    let user_id = account.user_id;
    // At the database's precision (microseconds): a replay reads the times back from
    // the log, and whole days between reviews must come out the same either way.
    let at = match review.reviewed_at.map(to_micros) {
        None => to_micros(now),
        Some(t) if t > now + MAX_CLOCK_SKEW => {
            return Err(ApiError::invalid("reviewed_at", "must not be in the future"));
        }
        Some(t) if t < account.created_at => {
            return Err(ApiError::invalid("reviewed_at", "must not be before the account was made"));
        }
        Some(t) => t,
    };
    // Retries of one review id (or two devices reviewing at once) apply exactly once,
    // in order.
    store::lock_learner(&mut *tx, user_id).await?;
    if let Some((owner, outcome)) = store::recorded(&mut *tx, review.review_id).await? {
        if owner != user_id {
            return Err(ApiError::Conflict("this review_id is already used; generate a new one".into()));
        }
        return Ok((outcome, true));
    }
    if !store::flashcard_is_live(&mut *tx, review.flashcard_id).await? {
        return Err(ApiError::NotFound(format!("no flashcard with id {}", review.flashcard_id)));
    }
    let memory = store::memory(&mut *tx, user_id, review.flashcard_id).await?;
    let parameters = account.fsrs_parameters.as_deref().unwrap_or_default();
    // A review older than the card's newest (recorded offline, sent late) is slotted
    // into the history, which is replayed in time order: the schedule ends where it
    // would have had the reviews arrived in order.
    let replayed = memory.as_ref().is_some_and(|m| at < m.last_reviewed_at);
    let step = if replayed {
        let mut history = store::card_history(&mut *tx, user_id, review.flashcard_id).await?;
        history.push((at, review.rating, review.review_id));
        history.sort_by_key(|(when, _, id)| (*when, *id));
        let ordered: Vec<(OffsetDateTime, Rating)> = history.into_iter().map(|(when, r, _)| (when, r)).collect();
        schedule::replay(&ordered, account.desired_retention, parameters)?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a replay of a non-empty history gave nothing")))?
    } else {
        schedule::review(memory.as_ref(), review.rating, at, account.desired_retention, parameters)?
    };
    store::save_memory(&mut *tx, user_id, review.flashcard_id, &step.memory, step.due_at, at).await?;
    let outcome = ReviewOutcome {
        review_id: review.review_id,
        flashcard_id: review.flashcard_id,
        rating: review.rating,
        reviewed_at: at,
        state: step.memory.state,
        due_at: step.due_at,
        interval_days: rounded(step.interval_days),
        intervals: RatingIntervals {
            again: rounded(step.intervals.again),
            hard: rounded(step.intervals.hard),
            good: rounded(step.intervals.good),
            easy: rounded(step.intervals.easy),
        },
        stability: f64::from(step.memory.stability),
        difficulty: f64::from(step.memory.difficulty),
        reps: step.memory.reps,
        lapses: step.memory.lapses,
        replayed,
    };
    store::log(&mut *tx, user_id, memory.map_or("new", |m| m.state.as_str()), &outcome).await?;
    activity::record_at(&mut *tx, user_id, "review", review.reviewed_at.map(|_| at)).await?;
    let shared = LearnerEventData {
        learner_id: user_id,
        object_type: "flashcard".into(),
        object_id: review.flashcard_id,
        result: Some(review.rating.as_str().to_owned()),
        score: None,
    };
    events::emit_for_learner(&mut *tx, EventType::ReviewRecorded, at, &shared).await?;
    Ok((outcome, false))
}

/// Reviews per day (30 days), retention, and cards by state.
pub async fn stats(state: &AppState, user_id: Uuid) -> Result<ReviewStats, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let now = state.clock.now();
    let per_day = store::reviews_per_day(&state.db, user_id, &account.timezone, now).await?;
    let (total, kept, total_30, kept_30) = store::retention_counts(&state.db, user_id, now).await?;
    let (live, learning, review, relearning) = store::cards_by_state(&state.db, user_id).await?;
    let share = |k: i64, t: i64| (t > 0).then(|| (k as f64 / t as f64 * 10_000.0).round() / 10_000.0);
    Ok(ReviewStats {
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
    })
}
