//! SQL for the job table: enqueue, claim, finish, retry, bury.

use std::time::Duration;

use serde::Serialize;
use sqlx::{PgConnection, PgPool};

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub job_id: i64,
    pub kind: String,
    pub payload: sqlx::types::Json<serde_json::Value>,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// Adds a job inside the caller's transaction, due now.
pub async fn enqueue<T: Serialize>(conn: &mut PgConnection, kind: &str, payload: &T) -> sqlx::Result<i64> {
    let payload = serde_json::to_value(payload).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let job_id = sqlx::query_scalar!("INSERT INTO job (kind, payload) VALUES ($1, $2) RETURNING job_id", kind, payload)
        .fetch_one(&mut *conn)
        .await?;
    // Delivered when (and only if) the caller's transaction commits: idle workers on
    // every instance wake up instead of waiting for their next poll.
    sqlx::query!("SELECT pg_notify($1, '')", QUEUED_CHANNEL).execute(conn).await?;
    Ok(job_id)
}

/// The channel [`enqueue`] notifies.
pub const QUEUED_CHANNEL: &str = "studytrack_job_queued";

/// Claims up to `limit` due jobs for `lease`: no other worker takes them meanwhile.
pub async fn claim(pool: &PgPool, limit: i64, lease: Duration) -> sqlx::Result<Vec<Job>> {
    sqlx::query_as!(
        Job,
        r#"
        UPDATE job SET locked_until = now() + make_interval(secs => $2), attempts = attempts + 1
        WHERE job_id IN (
            SELECT job_id FROM job
            WHERE status = 'pending' AND run_at <= now() AND (locked_until IS NULL OR locked_until < now())
            ORDER BY run_at, job_id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        )
        RETURNING job_id, kind, payload, attempts
        "#,
        limit,
        lease.as_secs_f64()
    )
    .fetch_all(pool)
    .await
}

pub async fn complete(pool: &PgPool, job_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE job SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL WHERE job_id = $1",
        job_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Schedules another attempt after `delay`.
pub async fn retry_later(pool: &PgPool, job_id: i64, delay: Duration, error: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE job SET run_at = now() + make_interval(secs => $2), locked_until = NULL, last_error = $3 WHERE job_id = $1", job_id, delay.as_secs_f64(), error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives up on a job: it stays in the table as `dead` with its last error.
pub async fn bury(pool: &PgPool, job_id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE job SET status = 'dead', finished_at = now(), locked_until = NULL, last_error = $2 WHERE job_id = $1",
        job_id,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes jobs that finished (done) more than a week ago; dead ones stay for an
/// operator to look at.
pub async fn prune_finished(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM job WHERE status = 'done' AND finished_at < now() - interval '7 days'")
        .execute(pool)
        .await?
        .rows_affected())
}
