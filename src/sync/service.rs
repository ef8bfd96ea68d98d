//! Applying an offline batch: every event in one transaction under the learner's lock,
//! each behind its own savepoint, so a rejected event leaves nothing behind while the
//! others apply; a server fault rolls the whole batch back (and retrying it is safe).

use sqlx::{Acquire, PgConnection};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::model::*;
use crate::annotations::model::TargetKind;
use crate::annotations::store::{self as notes, Deleted};
use crate::auth::store::UserRow;
use crate::error::ApiError;
use crate::progress::store::{self as marks, MarkedAt};
use crate::quiz::offline::OfflineQuiz;
use crate::review::model::ReviewRequest;
use crate::state::AppState;

/// Events per batch.
pub const MAX_EVENTS: usize = 500;
const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// A time the device stamped: not in the future beyond [`MAX_CLOCK_SKEW`], not before
/// the account existed.
fn device_time(
    at: OffsetDateTime,
    now: OffsetDateTime,
    account: &UserRow,
    field: &str,
) -> Result<OffsetDateTime, ApiError> {
    if at > now + MAX_CLOCK_SKEW {
        return Err(ApiError::invalid(field, "must not be in the future"));
    }
    if at < account.created_at {
        return Err(ApiError::invalid(field, "must not be before the account was made"));
    }
    Ok(at)
}

fn gone(kind: &str, id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no {kind} with id {id}"))
}

/// Whether a live topic or question exists (a read on the batch's connection).
async fn live(conn: &mut PgConnection, kind: TargetKind, id: Uuid) -> Result<bool, ApiError> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM topic WHERE $1 = 'topic' AND topic_id = $2 AND retired_at IS NULL
               UNION ALL
               SELECT 1 FROM question q JOIN topic t ON t.topic_id = q.topic_id
               WHERE $1 = 'question' AND q.question_id = $2 AND q.retired_at IS NULL AND t.retired_at IS NULL
           ) AS "found!""#,
        kind.as_str(),
        id
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

async fn apply(
    conn: &mut PgConnection,
    account: &UserRow,
    now: OffsetDateTime,
    event: SyncEvent,
) -> Result<EventStatus, ApiError> {
    let user = account.user_id;
    Ok(match event {
        SyncEvent::Review { review_id, flashcard_id, rating, reviewed_at } => {
            let request = ReviewRequest { review_id, flashcard_id, rating, reviewed_at: Some(reviewed_at) };
            let (_, before) = crate::review::service::apply(conn, now, account, &request).await?;
            if before { EventStatus::Duplicate } else { EventStatus::Applied }
        }
        SyncEvent::QuestionMark { question_id, status, marked_at } => {
            let at = device_time(marked_at, now, account, "marked_at")?;
            if !live(conn, TargetKind::Question, question_id).await? {
                return Err(gone("question", question_id));
            }
            let marked = MarkedAt { at, from_client: true };
            let (standing, _, applied) =
                marks::set_question_mark(conn, user, question_id, status.as_str(), marked).await?;
            mark_status(applied, standing == status.as_str())
        }
        SyncEvent::TopicMark { topic_id, status, marked_at } => {
            let at = device_time(marked_at, now, account, "marked_at")?;
            if !live(conn, TargetKind::Topic, topic_id).await? {
                return Err(gone("topic", topic_id));
            }
            let marked = MarkedAt { at, from_client: true };
            let (standing, _, applied) = marks::set_topic_mark(conn, user, topic_id, status.as_str(), marked).await?;
            mark_status(applied, standing == status.as_str())
        }
        SyncEvent::Note { kind, id, body, updated_at } => {
            let at = device_time(updated_at, now, account, "updated_at")?;
            let text = body.trim();
            if text.is_empty() || text.chars().count() > 20_000 {
                return Err(ApiError::invalid("body", "must hold 1 to 20,000 characters"));
            }
            if !live(conn, kind, id).await? {
                return Err(gone(kind.as_str(), id));
            }
            let (standing, applied) = notes::put_note(conn, user, kind, id, text, at).await?;
            let same = standing.is_some_and(|(body, standing_at)| body == text && standing_at == at);
            match (applied, same) {
                (true, _) => EventStatus::Applied,
                (false, true) => EventStatus::Duplicate,
                (false, false) => EventStatus::Superseded,
            }
        }
        SyncEvent::NoteDelete { kind, id, deleted_at } => {
            let at = device_time(deleted_at, now, account, "deleted_at")?;
            delete_status(notes::delete_note(conn, user, kind, id, at).await?)
        }
        SyncEvent::Bookmark { kind, id, revisit_on, updated_at } => {
            let at = device_time(updated_at, now, account, "updated_at")?;
            let day = match revisit_on.as_deref() {
                None => None,
                Some(text) => Some(
                    Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
                        .map_err(|_| ApiError::invalid("revisit_on", "must be a date as YYYY-MM-DD"))?,
                ),
            };
            if !live(conn, kind, id).await? {
                return Err(gone(kind.as_str(), id));
            }
            if notes::put_bookmark(conn, user, kind, id, day, at).await? {
                EventStatus::Applied
            } else {
                EventStatus::Superseded
            }
        }
        SyncEvent::QuizSubmission { submission_id, started_at, submitted_at, answers } => {
            let quiz = OfflineQuiz {
                id: submission_id,
                started_at: device_time(started_at, now, account, "started_at")?,
                submitted_at: device_time(submitted_at, now, account, "submitted_at")?,
                answers: &answers,
            };
            if crate::quiz::offline::record(conn, user, quiz).await? {
                EventStatus::Duplicate
            } else {
                EventStatus::Applied
            }
        }
        SyncEvent::BookmarkDelete { kind, id, deleted_at } => {
            let at = device_time(deleted_at, now, account, "deleted_at")?;
            delete_status(notes::delete_bookmark(conn, user, kind, id, at).await?)
        }
    })
}

/// A timed delete's status: it removed something, an edit made after it stands, or
/// there was nothing left to remove.
fn delete_status(deleted: Deleted) -> EventStatus {
    match deleted {
        Deleted::Removed => EventStatus::Applied,
        Deleted::Superseded => EventStatus::Superseded,
        Deleted::Absent => EventStatus::Duplicate,
    }
}

/// A mark write's status: changed, the same mark again, or outvoted by a later one.
fn mark_status(applied: bool, same_status: bool) -> EventStatus {
    match (applied, same_status) {
        (true, _) => EventStatus::Applied,
        (false, true) => EventStatus::Duplicate,
        (false, false) => EventStatus::Superseded,
    }
}

/// Applies a batch and answers one result per event.
pub async fn sync(state: &AppState, user_id: Uuid, batch: SyncBatch) -> Result<SyncResults, ApiError> {
    if batch.events.len() > MAX_EVENTS {
        return Err(ApiError::invalid("events", format!("at most {MAX_EVENTS} events per batch")));
    }
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // Reviews take the same lock; taking it first keeps the batch one unit against
    // every other write of this learner.
    crate::review::store::lock_learner(&mut tx, user_id).await?;
    let mut results = Vec::with_capacity(batch.events.len());
    for (index, event) in batch.events.into_iter().enumerate() {
        let mut savepoint = tx.begin().await?;
        match apply(savepoint.acquire().await?, &account, now, event).await {
            Ok(status) => {
                savepoint.commit().await?;
                results.push(EventResult { index, status, problem: None });
            }
            Err(error) if error.status().is_client_error() => {
                savepoint.rollback().await?;
                results.push(EventResult { index, status: EventStatus::Rejected, problem: Some(error.problem()) });
            }
            // A fault of the server's: nothing of the batch stays.
            Err(error) => return Err(error),
        }
    }
    tx.commit().await?;
    Ok(SyncResults { results })
}
