//! SQL for optimization jobs (queued, claimed with a lease, finished once), the review
//! log they fit, and applying fitted parameters.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::fit::LoggedReview;
use super::model::JobStatus;
use crate::review::model::Rating;

/// A job as stored.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub job_id: Uuid,
    pub user_id: Uuid,
    pub status: JobStatus,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub items: Option<i32>,
    pub parameters_before: Option<Vec<f32>>,
    pub parameters_after: Option<Vec<f32>>,
    pub log_loss_before: Option<f32>,
    pub rmse_before: Option<f32>,
    pub log_loss_after: Option<f32>,
    pub rmse_after: Option<f32>,
    pub error: Option<String>,
}

/// A statement reading [`JobRow`]s: their columns, then `$rest`.
macro_rules! job_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            JobRow,
            r#"SELECT job_id, user_id, status AS "status: JobStatus", created_at, started_at, finished_at, attempts,
                      items, parameters_before, parameters_after, log_loss_before, rmse_before, log_loss_after,
                      rmse_after, error "# + $rest
            $(, $arg)*
        )
    };
}

/// Queues a job; `None` when the learner already has one queued or running (the
/// partial unique index decides, so two concurrent requests cannot both queue).
pub async fn queue(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"INSERT INTO optimizer_job (user_id, status) VALUES ($1, 'queued')
           ON CONFLICT (user_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING job_id"#,
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// The learner's open (queued or running) job.
pub async fn open_job(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Option<JobRow>> {
    job_rows!("FROM optimizer_job WHERE user_id = $1 AND status IN ('queued', 'running')", user_id)
        .fetch_optional(pool)
        .await
}

/// The learner's job (None for another learner's: callers answer 404 either way).
pub async fn job(db: impl sqlx::PgExecutor<'_>, user_id: Uuid, job_id: Uuid) -> sqlx::Result<Option<JobRow>> {
    job_rows!("FROM optimizer_job WHERE job_id = $1 AND user_id = $2", job_id, user_id).fetch_optional(db).await
}

/// The learner's newest job.
pub async fn latest(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Option<JobRow>> {
    job_rows!("FROM optimizer_job WHERE user_id = $1 ORDER BY created_at DESC, job_id LIMIT 1", user_id)
        .fetch_optional(pool)
        .await
}

/// Claims the oldest queued job, or a running one whose lease ran out (its instance
/// died mid-run), for `lease`; every instance's worker can call this at once.
pub async fn claim(pool: &PgPool, now: OffsetDateTime, lease: time::Duration) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    let row = sqlx::query!(
        r#"UPDATE optimizer_job SET status = 'running', started_at = $1, lease_until = $2, attempts = attempts + 1
           WHERE job_id = (SELECT job_id FROM optimizer_job
                           WHERE status = 'queued' OR (status = 'running' AND lease_until < $1)
                           ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING job_id, user_id"#,
        now,
        now + lease
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.job_id, r.user_id)))
}

/// The outcome of a job.
pub struct Finished<'a> {
    pub items: i32,
    pub before: &'a [f32],
    pub after: &'a [f32],
    pub log_loss: (f32, f32),
    pub rmse: (f32, f32),
}

/// Records a fit, once: only a running job is finished.
pub async fn finish(pool: &PgPool, job_id: Uuid, done: Finished<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE optimizer_job SET status = 'done', finished_at = now(), lease_until = NULL, items = $2,
                  parameters_before = $3, parameters_after = $4, log_loss_before = $5, log_loss_after = $6,
                  rmse_before = $7, rmse_after = $8
           WHERE job_id = $1 AND status = 'running'"#,
        job_id,
        done.items,
        done.before,
        done.after,
        done.log_loss.0,
        done.log_loss.1,
        done.rmse.0,
        done.rmse.1
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn fail(pool: &PgPool, job_id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE optimizer_job SET status = 'failed', finished_at = now(), lease_until = NULL, error = $2
           WHERE job_id = $1 AND status = 'running'"#,
        job_id,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The learner's review log over live and retired cards alike (memory is memory).
pub async fn review_log(db: impl sqlx::PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Vec<LoggedReview>> {
    sqlx::query!(
        r#"SELECT flashcard_id, rating AS "rating: Rating", reviewed_at FROM review_log
           WHERE user_id = $1 ORDER BY flashcard_id, reviewed_at"#,
        user_id
    )
    .map(|r| LoggedReview { card: r.flashcard_id, rating: r.rating, at: r.reviewed_at })
    .fetch_all(db)
    .await
}

/// Sets (or with `None` clears) the learner's parameters.
pub async fn set_parameters(conn: &mut PgConnection, user_id: Uuid, parameters: Option<&[f32]>) -> sqlx::Result<()> {
    sqlx::query!("UPDATE app_user SET fsrs_parameters = $2 WHERE user_id = $1", user_id, parameters as Option<&[f32]>)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks the learner's card states and returns them with their last review time.
pub async fn card_states(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Vec<(Uuid, OffsetDateTime)>> {
    sqlx::query!(
        "SELECT flashcard_id, last_reviewed_at FROM card_state WHERE user_id = $1 ORDER BY flashcard_id FOR UPDATE",
        user_id
    )
    .map(|r| (r.flashcard_id, r.last_reviewed_at))
    .fetch_all(conn)
    .await
}

/// Rewrites one card's memory and due time after new parameters.
pub async fn reschedule_card(
    conn: &mut PgConnection,
    user_id: Uuid,
    flashcard_id: Uuid,
    stability: f32,
    difficulty: f32,
    due_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE card_state SET stability = $3, difficulty = $4, due_at = $5 WHERE user_id = $1 AND flashcard_id = $2",
        user_id,
        flashcard_id,
        stability,
        difficulty,
        due_at
    )
    .execute(conn)
    .await?;
    Ok(())
}
