//! SQL for statements: the row a job sends, the content facts a statement names, the
//! outcome of each attempt, and the admin listing.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

pub struct StatementRow {
    pub statement_id: Uuid,
    pub user_id: Uuid,
    pub event_type: String,
    pub event: serde_json::Value,
    pub statement: Option<serde_json::Value>,
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

pub async fn get(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<StatementRow>> {
    sqlx::query_as!(
        StatementRow,
        r#"SELECT statement_id, user_id, event_type, event, statement, status, attempts, last_status_code, last_error,
                  created_at, sent_at
           FROM xapi_statement WHERE statement_id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// Keeps the statement as first built, so every retry sends the same one.
pub async fn keep_statement(pool: &PgPool, id: Uuid, statement: &serde_json::Value) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE xapi_statement SET statement = $2 WHERE statement_id = $1 AND statement IS NULL",
        id,
        statement
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// One attempt's outcome: `sent`, `pending` (to be retried) or `dead`.
pub async fn record(pool: &PgPool, id: Uuid, status: &str, code: Option<i32>, error: Option<&str>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE xapi_statement
           SET status = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4,
               sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
           WHERE statement_id = $1"#,
        id,
        status,
        code,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A topic's slug and title.
pub async fn topic(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query!("SELECT slug, title FROM topic WHERE topic_id = $1", id)
        .map(|r| (r.slug, r.title))
        .fetch_optional(pool)
        .await
}

/// A quiz attempt's scope (as stored) and mode.
pub async fn quiz(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<(serde_json::Value, String)>> {
    sqlx::query!("SELECT scope, mode FROM quiz_attempt WHERE attempt_id = $1", id)
        .map(|r| (r.scope, r.mode))
        .fetch_optional(pool)
        .await
}

/// A mock interview's scope (as stored).
pub async fn interview(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<serde_json::Value>> {
    sqlx::query_scalar!("SELECT scope FROM interview WHERE interview_id = $1", id).fetch_optional(pool).await
}

/// A flashcard's topic slug and own slug.
pub async fn flashcard(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query!(
        "SELECT t.slug AS topic, f.slug FROM flashcard f JOIN topic t ON t.topic_id = f.topic_id WHERE f.flashcard_id = $1",
        id
    )
    .map(|r| (r.topic, r.slug))
    .fetch_optional(pool)
    .await
}

/// Statements in `status` (all without), newest first, after (`created_at`, id).
pub async fn list(
    pool: &PgPool,
    status: Option<&str>,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<StatementRow>> {
    let (at, id) = after.unzip();
    sqlx::query_as!(
        StatementRow,
        r#"SELECT statement_id, user_id, event_type, event, statement, status, attempts, last_status_code, last_error,
                  created_at, sent_at
           FROM xapi_statement
           WHERE ($1::text IS NULL OR status = $1)
             AND ($2::timestamptz IS NULL OR (created_at, statement_id) < ($2, $3::uuid))
           ORDER BY created_at DESC, statement_id DESC
           LIMIT $4"#,
        status,
        at,
        id,
        limit
    )
    .fetch_all(pool)
    .await
}
