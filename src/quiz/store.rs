//! SQL for quiz attempts and the per-topic quiz figures progress uses.

use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{QuizItemKind, QuizMode};

/// A live quiz item eligible for a draw, with the learner's weight for it.
#[derive(Debug)]
pub struct Candidate {
    pub quiz_item_id: Uuid,
    pub topic_id: Uuid,
    pub topic_slug: String,
    pub topic_title: String,
    pub question_id: Option<Uuid>,
    pub kind: QuizItemKind,
    pub prompt: String,
    pub code: Option<String>,
    pub options: Vec<String>,
    pub correct: Vec<i16>,
    pub explanation: String,
    /// Drawn as a verification probe of its question.
    pub probe: bool,
}

/// Draws up to `size` items from `topics`, weighted toward what the learner got wrong
/// last time (4) or has never answered (3) over what they got right (1): a weighted
/// random sample without replacement (Efraimidis–Spirakis keys). Items on a probe
/// question (`probes`, see `progress::verification`) come first, at most `max_probes`
/// of them, so a quiz never turns into nothing but re-checks.
pub async fn draw(
    pool: &PgPool,
    user_id: Uuid,
    topics: &[Uuid],
    size: i64,
    probes: &[Uuid],
    max_probes: i64,
) -> sqlx::Result<Vec<Candidate>> {
    sqlx::query_as!(Candidate, r#"
        WITH last AS (
            -- The learner's latest graded answer to each item in scope, found from the
            -- learner's own attempts (not by scanning every attempt of every item).
            SELECT DISTINCT ON (ai.quiz_item_id) ai.quiz_item_id, ai.is_correct
            FROM quiz_attempt a JOIN quiz_attempt_item ai ON ai.attempt_id = a.attempt_id
            WHERE a.user_id = $1 AND a.submitted_at IS NOT NULL AND ai.topic_id = ANY ($2)
            ORDER BY ai.quiz_item_id, a.submitted_at DESC
        ), eligible AS (
            SELECT i.quiz_item_id, i.topic_id, t.slug AS topic_slug, t.title AS topic_title,
                   (SELECT q.question_id FROM question q WHERE q.question_id = i.question_id AND q.retired_at IS NULL)
                       AS question_id,
                   i.kind, i.prompt, i.code, i.options, i.correct, i.explanation,
                   COALESCE(i.question_id = ANY ($4), false) AS probe,
                   -ln(1.0 - random()) / CASE WHEN last.is_correct IS NULL THEN 3.0 WHEN last.is_correct THEN 1.0 ELSE 4.0 END
                       AS key
            FROM quiz_item i
            JOIN topic t ON t.topic_id = i.topic_id AND t.retired_at IS NULL
            LEFT JOIN last ON last.quiz_item_id = i.quiz_item_id
            WHERE i.retired_at IS NULL AND i.topic_id = ANY ($2)
        ), ranked AS (
            SELECT eligible.*, row_number() OVER (PARTITION BY probe ORDER BY key) AS probe_rank FROM eligible
        )
        SELECT quiz_item_id AS "quiz_item_id!", topic_id AS "topic_id!", topic_slug AS "topic_slug!",
               topic_title AS "topic_title!", question_id, kind AS "kind!: QuizItemKind", prompt AS "prompt!", code,
               options AS "options!", correct AS "correct!", explanation AS "explanation!",
               (probe AND probe_rank <= $5) AS "probe!"
        FROM ranked
        ORDER BY (probe AND probe_rank <= $5) DESC, key
        LIMIT $3
        "#, user_id, topics, size, probes, max_probes)
    .fetch_all(pool)
    .await
}

#[derive(Debug)]
pub struct AttemptRow {
    pub attempt_id: Uuid,
    pub user_id: Uuid,
    pub mode: QuizMode,
    pub scope: Json<Value>,
    pub created_at: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub submitted_at: Option<OffsetDateTime>,
    pub score: Option<i32>,
    pub total: i32,
    pub result: Option<Json<Value>>,
}

/// A statement reading [`AttemptRow`]s: their columns, then `$rest` (a macro because
/// the query macros take literals, not a `const`).
macro_rules! attempt_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            AttemptRow,
            r#"SELECT attempt_id, user_id, mode AS "mode: QuizMode", scope AS "scope: Json<Value>", created_at, deadline, submitted_at,
                      score, total, result AS "result: Json<Value>" "# + $rest
            $(, $arg)*
        )
    };
}

/// The caller's attempt (None for another user's: callers answer 404 either way).
pub async fn attempt(conn: &mut PgConnection, user_id: Uuid, id: Uuid, lock: bool) -> sqlx::Result<Option<AttemptRow>> {
    // Two statements rather than one built at run time, so both are checked at compile time.
    if lock {
        attempt_rows!("FROM quiz_attempt WHERE attempt_id = $1 AND user_id = $2 FOR UPDATE", id, user_id)
            .fetch_optional(conn)
            .await
    } else {
        attempt_rows!("FROM quiz_attempt WHERE attempt_id = $1 AND user_id = $2", id, user_id)
            .fetch_optional(conn)
            .await
    }
}

#[derive(Debug)]
pub struct AttemptItemRow {
    pub position: i32,
    pub topic_slug: String,
    pub topic_title: String,
    pub question_id: Option<Uuid>,
    pub kind: QuizItemKind,
    pub prompt: String,
    pub code: Option<String>,
    pub options: Vec<String>,
    pub correct: Vec<i16>,
    pub explanation: String,
    pub probe: bool,
}

pub async fn attempt_items(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Vec<AttemptItemRow>> {
    sqlx::query_as!(AttemptItemRow, r#"SELECT ai.position, t.slug AS topic_slug, t.title AS topic_title, ai.question_id, ai.kind AS "kind: QuizItemKind", ai.prompt, ai.code,
                  ai.options, ai.correct, ai.explanation, ai.probe
           FROM quiz_attempt_item ai JOIN topic t ON t.topic_id = ai.topic_id
           WHERE ai.attempt_id = $1 ORDER BY ai.position"#, id)
    .fetch_all(conn)
    .await
}

/// Live topics among `slugs`: (id, slug).
pub async fn live_topics(pool: &PgPool, slugs: &[&str]) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query!(
        r#"SELECT topic_id AS "topic_id!", slug AS "slug!" FROM topic WHERE slug = ANY ($1) AND retired_at IS NULL"#,
        slugs as &[&str]
    )
    .map(|r| (r.topic_id, r.slug))
    .fetch_all(pool)
    .await
}

/// A new attempt's header row.
pub struct NewAttempt<'a, S: serde::Serialize> {
    /// The client's id for an attempt made offline; `None` for a fresh one.
    pub id: Option<Uuid>,
    pub user_id: Uuid,
    pub mode: &'a str,
    pub scope: &'a S,
    pub created_at: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub total: i32,
}

pub async fn insert_attempt<S: serde::Serialize>(conn: &mut PgConnection, a: NewAttempt<'_, S>) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!("INSERT INTO quiz_attempt (attempt_id, user_id, mode, scope, created_at, deadline, total) VALUES (COALESCE($7, gen_random_uuid()), $1, $2, $3, $4, $5, $6) RETURNING attempt_id", a.user_id, a.mode, sqlx::types::Json(a.scope) as _, a.created_at, a.deadline, a.total, a.id)
    .fetch_one(conn)
    .await
}

/// The attempt's snapshot of its items, in one statement (a 50-item quiz is one round
/// trip, not fifty). `items` are JSON objects with the columns as keys.
pub async fn insert_attempt_items(conn: &mut PgConnection, id: Uuid, items: &[serde_json::Value]) -> sqlx::Result<()> {
    sqlx::query!(r#"INSERT INTO quiz_attempt_item (attempt_id, position, quiz_item_id, topic_id, question_id, kind, prompt, code,
                                          options, correct, explanation, probe)
           SELECT $1, x.position, x.quiz_item_id, x.topic_id, x.question_id, x.kind, x.prompt, x.code, x.options,
                  x.correct, x.explanation, x.probe
           FROM jsonb_to_recordset($2) AS x(position int, quiz_item_id uuid, topic_id uuid, question_id uuid, kind text,
                                            prompt text, code text, options text[], correct smallint[], explanation text,
                                            probe boolean)"#, id, sqlx::types::Json(items) as _)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every answer of a submission, in one statement. `answers` are JSON objects with
/// `position`, `selected` and `is_correct`.
pub async fn save_answers(conn: &mut PgConnection, id: Uuid, answers: &[serde_json::Value]) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE quiz_attempt_item ai SET selected = x.selected, is_correct = x.is_correct
           FROM jsonb_to_recordset($2) AS x(position int, selected smallint[], is_correct boolean)
           WHERE ai.attempt_id = $1 AND ai.position = x.position"#,
        id,
        sqlx::types::Json(answers) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes an attempt with its graded result (what a repeated submission returns).
pub async fn save_result<R: serde::Serialize>(
    conn: &mut PgConnection,
    id: Uuid,
    submitted_at: OffsetDateTime,
    late: bool,
    score: i32,
    result: &R,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE quiz_attempt SET submitted_at = $2, late = $3, score = $4, result = $5 WHERE attempt_id = $1",
        id,
        submitted_at,
        late,
        score,
        sqlx::types::Json(result) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of the learner's attempts, newest first, after `after` (created, id).
pub async fn history(
    pool: &PgPool,
    user_id: Uuid,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as!(AttemptRow, r#"SELECT attempt_id, user_id, mode AS "mode: QuizMode", scope AS "scope: Json<Value>", created_at, deadline, submitted_at, score, total,
                  NULL::jsonb AS "result: Json<Value>"
           FROM quiz_attempt
           WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, attempt_id) < ($2, $3))
           ORDER BY created_at DESC, attempt_id DESC LIMIT $4"#, user_id, after.map(|a| a.0), after.map(|a| a.1), limit)
    .fetch_all(pool)
    .await
}

/// One quiz attempt as the export lists it (the full result is at its URL).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AttemptExport {
    pub id: Uuid,
    pub mode: QuizMode,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[schema(required)]
    pub score: Option<i32>,
    pub total: i32,
    /// The graded result as returned on submission; null for an unsubmitted attempt.
    #[schema(required, value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

/// Every quiz attempt of the learner, oldest first.
pub async fn export_attempts(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<AttemptExport>> {
    sqlx::query_as!(
        AttemptExport,
        r#"SELECT attempt_id AS id, mode AS "mode: QuizMode", created_at, submitted_at, score, total, result
           FROM quiz_attempt WHERE user_id = $1 ORDER BY created_at, attempt_id"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

/// Who owns attempt `id`, if it exists.
pub async fn attempt_owner(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("SELECT user_id FROM quiz_attempt WHERE attempt_id = $1", id).fetch_optional(conn).await
}

pub struct LiveItemRow {
    pub quiz_item_id: Uuid,
    pub topic_id: Uuid,
    pub topic_slug: String,
    pub question_id: Option<Uuid>,
    pub kind: QuizItemKind,
    pub prompt: String,
    pub code: Option<String>,
    pub options: Vec<String>,
    pub correct: Vec<i16>,
    pub explanation: String,
}

/// The live quiz items among `ids` (in a live topic), as authored.
pub async fn live_items(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<LiveItemRow>> {
    sqlx::query_as!(
        LiveItemRow,
        r#"SELECT i.quiz_item_id, i.topic_id, t.slug AS topic_slug,
                  (SELECT q.question_id FROM question q WHERE q.question_id = i.question_id AND q.retired_at IS NULL)
                      AS question_id,
                  i.kind AS "kind: QuizItemKind", i.prompt, i.code, i.options, i.correct, i.explanation
           FROM quiz_item i JOIN topic t ON t.topic_id = i.topic_id AND t.retired_at IS NULL
           WHERE i.quiz_item_id = ANY($1) AND i.retired_at IS NULL"#,
        ids
    )
    .fetch_all(conn)
    .await
}
