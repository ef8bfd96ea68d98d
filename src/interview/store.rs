//! SQL for mock interviews: the draw, the session and its items, the cold attempts
//! and self-grades (each written once, by a conditional update), and a learner's
//! past attempts at a question.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::PointGrade;
use crate::catalog::model::Difficulty;
use crate::review::model::CardState;
use crate::review::schedule::CardMemory;

/// Draws up to `size` live questions that have a rubric from `topics`, weighted toward
/// what the learner has not proven cold: a question due again on its schedule (5),
/// whose latest self-graded score was under 60% (4), or never answered cold (3), over
/// one answered well and not yet due (1) — a weighted random sample without
/// replacement (Efraimidis–Spirakis keys). Verification probes (`probes`) come first,
/// at most `max_probes` of them.
pub async fn draw(
    pool: &PgPool,
    user_id: Uuid,
    topics: &[Uuid],
    difficulties: Option<&[String]>,
    size: i64,
    probes: &[Uuid],
    max_probes: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        r#"
        WITH last AS (
            SELECT DISTINCT ON (ii.question_id) ii.question_id, ii.grades
            FROM interview i JOIN interview_item ii ON ii.interview_id = i.interview_id
            WHERE i.user_id = $1 AND ii.answered_at IS NOT NULL
            ORDER BY ii.question_id, ii.answered_at DESC
        ), eligible AS (
        SELECT q.question_id, q.question_id = ANY ($5) AS probe, -ln(1.0 - random()) / CASE
            WHEN m.due_at <= now() THEN 5.0
            WHEN last.question_id IS NULL THEN 3.0
            WHEN last.grades IS NULL THEN 4.0
            WHEN (SELECT avg(CASE g WHEN 'got_it' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)
                  FROM unnest(last.grades) AS g) < 0.6 THEN 4.0
            ELSE 1.0 END AS key
        FROM question q
        JOIN topic t ON t.topic_id = q.topic_id AND t.retired_at IS NULL
        LEFT JOIN last ON last.question_id = q.question_id
        LEFT JOIN question_memory m ON m.user_id = $1 AND m.question_id = q.question_id
        WHERE q.retired_at IS NULL AND q.topic_id = ANY ($2) AND cardinality(q.rubric) >= 3
          AND ($3::text[] IS NULL OR q.difficulty = ANY ($3))
        ), ranked AS (
            SELECT eligible.*, row_number() OVER (PARTITION BY probe ORDER BY key) AS probe_rank FROM eligible
        )
        SELECT question_id AS "question_id!" FROM ranked
        ORDER BY (probe AND probe_rank <= $6) DESC, key
        LIMIT $4
        "#,
        user_id,
        topics,
        difficulties as Option<&[String]>,
        size,
        probes,
        max_probes
    )
    .fetch_all(pool)
    .await
}

/// A new session.
pub struct NewInterview<'a> {
    pub user_id: Uuid,
    pub client_id: Option<Uuid>,
    pub scope: &'a Value,
    pub created_at: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
}

/// Inserts the session and its questions in order; `None` when the learner already
/// has a session under `client_id` (a retried start). Items among `probes` are marked
/// as verification probes.
pub async fn insert(
    conn: &mut PgConnection,
    new: NewInterview<'_>,
    questions: &[Uuid],
    probes: &[Uuid],
) -> sqlx::Result<Option<Uuid>> {
    let Some(id) = sqlx::query_scalar!(
        r#"INSERT INTO interview (user_id, client_id, scope, created_at, deadline) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id, client_id) DO NOTHING RETURNING interview_id"#,
        new.user_id,
        new.client_id,
        new.scope,
        new.created_at,
        new.deadline
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!(
        r#"INSERT INTO interview_item (interview_id, position, question_id, probe)
           SELECT $1, (q.ord - 1)::int, q.question_id, q.question_id = ANY ($3)
           FROM unnest($2::uuid[]) WITH ORDINALITY AS q(question_id, ord)"#,
        id,
        questions,
        probes
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// The learner's session under `client_id`, if any, with the scope it was started for.
pub async fn by_client_id(pool: &PgPool, user_id: Uuid, client_id: Uuid) -> sqlx::Result<Option<(Uuid, Value)>> {
    let row = sqlx::query!(
        "SELECT interview_id, scope FROM interview WHERE user_id = $1 AND client_id = $2",
        user_id,
        client_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.interview_id, r.scope)))
}

#[derive(Debug)]
pub struct HeaderRow {
    pub interview_id: Uuid,
    pub created_at: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub completed_at: Option<OffsetDateTime>,
}

/// The caller's session (`None` for another learner's: callers answer 404 either way).
pub async fn header(conn: &mut PgConnection, user_id: Uuid, id: Uuid) -> sqlx::Result<Option<HeaderRow>> {
    sqlx::query_as!(
        HeaderRow,
        "SELECT interview_id, created_at, deadline, completed_at FROM interview WHERE interview_id = $1 AND user_id = $2",
        id,
        user_id
    )
    .fetch_optional(conn)
    .await
}

#[derive(Debug)]
pub struct ItemRow {
    pub position: i32,
    pub question_id: Uuid,
    pub title: String,
    pub prompt: String,
    pub difficulty: Difficulty,
    pub topic_slug: String,
    pub topic_title: String,
    pub model_answer: String,
    pub answer: Option<String>,
    pub skipped: bool,
    pub answered_at: Option<OffsetDateTime>,
    pub late: bool,
    pub rubric: Option<Vec<String>>,
    pub grades: Option<Vec<PointGrade>>,
    pub probe: bool,
}

/// A session's questions in order (one, with `position`), with their current text.
pub async fn items(conn: &mut PgConnection, id: Uuid, position: Option<i32>) -> sqlx::Result<Vec<ItemRow>> {
    sqlx::query_as!(
        ItemRow,
        r#"SELECT ii.position, q.question_id, q.title, q.prompt, q.difficulty AS "difficulty: Difficulty",
                  t.slug AS topic_slug, t.title AS topic_title, q.answer AS model_answer,
                  ii.answer, ii.skipped, ii.answered_at, ii.late, ii.rubric, ii.grades AS "grades: Vec<PointGrade>",
                  ii.probe
           FROM interview_item ii
           JOIN question q ON q.question_id = ii.question_id
           JOIN topic t ON t.topic_id = q.topic_id
           WHERE ii.interview_id = $1 AND ($2::int IS NULL OR ii.position = $2)
           ORDER BY ii.position"#,
        id,
        position
    )
    .fetch_all(conn)
    .await
}

/// Records the cold attempt (an answer, or a skip) with the rubric it reveals, once:
/// `false` when the question was already attempted (a racing request got there first).
pub async fn record_attempt(
    conn: &mut PgConnection,
    id: Uuid,
    position: i32,
    answer: Option<&str>,
    at: OffsetDateTime,
    late: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE interview_item ii
           SET answer = $3, skipped = ($3::text IS NULL), answered_at = $4, late = $5,
               rubric = (SELECT q.rubric FROM question q WHERE q.question_id = ii.question_id)
           WHERE ii.interview_id = $1 AND ii.position = $2 AND ii.answered_at IS NULL"#,
        id,
        position,
        answer,
        at,
        late
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the self-grade of an answered (not skipped) question, once: `false` when it
/// was graded already.
pub async fn record_grades(
    conn: &mut PgConnection,
    id: Uuid,
    position: i32,
    grades: &[PointGrade],
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let grades: Vec<&str> = grades.iter().map(|g| g.as_str()).collect();
    let done = sqlx::query!(
        r#"UPDATE interview_item SET grades = $3, graded_at = $4
           WHERE interview_id = $1 AND position = $2 AND answered_at IS NOT NULL AND NOT skipped
             AND grades IS NULL AND cardinality(rubric) = cardinality($3::text[])"#,
        id,
        position,
        &grades[..] as &[&str],
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the session completed once every question is skipped or graded; whether this
/// call completed it.
pub async fn complete_if_done(conn: &mut PgConnection, id: Uuid, at: OffsetDateTime) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE interview SET completed_at = $2
           WHERE interview_id = $1 AND completed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM interview_item
                             WHERE interview_id = $1 AND (answered_at IS NULL OR (NOT skipped AND grades IS NULL)))"#,
        id,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug)]
pub struct PastRow {
    pub interview_id: Uuid,
    pub answered_at: OffsetDateTime,
    pub answer: Option<String>,
    pub skipped: bool,
    pub grades: Option<Vec<PointGrade>>,
}

/// The learner's cold attempts at a question, newest first.
pub async fn past_attempts(pool: &PgPool, user_id: Uuid, question_id: Uuid) -> sqlx::Result<Vec<PastRow>> {
    sqlx::query_as!(
        PastRow,
        r#"SELECT ii.interview_id, ii.answered_at AS "answered_at!", ii.answer, ii.skipped,
                  ii.grades AS "grades: Vec<PointGrade>"
           FROM interview_item ii JOIN interview i ON i.interview_id = ii.interview_id
           WHERE i.user_id = $1 AND ii.question_id = $2 AND ii.answered_at IS NOT NULL
           ORDER BY ii.answered_at DESC, ii.interview_id"#,
        user_id,
        question_id
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug)]
pub struct QuestionRow {
    pub question_id: Uuid,
    pub title: String,
    pub prompt: String,
    pub difficulty: Difficulty,
    pub topic_slug: String,
    pub topic_title: String,
    pub answer: String,
    pub rubric: Vec<String>,
}

/// A live question with its topic, model answer and rubric.
pub async fn question(pool: &PgPool, question_id: Uuid) -> sqlx::Result<Option<QuestionRow>> {
    sqlx::query_as!(
        QuestionRow,
        r#"SELECT q.question_id, q.title, q.prompt, q.difficulty AS "difficulty: Difficulty", t.slug AS topic_slug,
                  t.title AS topic_title, q.answer, q.rubric
           FROM question q JOIN topic t ON t.topic_id = q.topic_id AND t.retired_at IS NULL
           WHERE q.question_id = $1 AND q.retired_at IS NULL"#,
        question_id
    )
    .fetch_optional(pool)
    .await
}

/// The learner's memory of a question, as FSRS schedules it; `None` before the first
/// self-grade (or skip).
pub async fn memory(conn: &mut PgConnection, user_id: Uuid, question_id: Uuid) -> sqlx::Result<Option<CardMemory>> {
    sqlx::query_as!(
        CardMemory,
        r#"SELECT state AS "state: CardState", stability, difficulty, last_reviewed_at, reps, lapses
           FROM question_memory WHERE user_id = $1 AND question_id = $2 FOR UPDATE"#,
        user_id,
        question_id
    )
    .fetch_optional(conn)
    .await
}

/// Stores the question's new memory and when it is due again.
pub async fn save_memory(
    conn: &mut PgConnection,
    user_id: Uuid,
    question_id: Uuid,
    memory: &CardMemory,
    due_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO question_memory (user_id, question_id, state, stability, difficulty, due_at, last_reviewed_at,
                                      reps, lapses)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (user_id, question_id) DO UPDATE
           SET state = excluded.state, stability = excluded.stability, difficulty = excluded.difficulty,
               due_at = excluded.due_at, last_reviewed_at = excluded.last_reviewed_at, reps = excluded.reps,
               lapses = excluded.lapses"#,
        user_id,
        question_id,
        memory.state.as_str(),
        memory.stability,
        memory.difficulty,
        due_at,
        memory.last_reviewed_at,
        memory.reps,
        memory.lapses
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug)]
pub struct DueRow {
    pub question_id: Uuid,
    pub title: String,
    pub prompt: String,
    pub difficulty: Difficulty,
    pub topic_slug: String,
    pub topic_title: String,
    pub due_at: OffsetDateTime,
    pub last_reviewed_at: OffsetDateTime,
}

/// The learner's live questions due by `now`, most overdue first.
pub async fn due(pool: &PgPool, user_id: Uuid, now: OffsetDateTime, limit: i64) -> sqlx::Result<Vec<DueRow>> {
    sqlx::query_as!(
        DueRow,
        r#"SELECT q.question_id, q.title, q.prompt, q.difficulty AS "difficulty: Difficulty", t.slug AS topic_slug,
                  t.title AS topic_title, m.due_at, m.last_reviewed_at
           FROM question_memory m
           JOIN question q ON q.question_id = m.question_id AND q.retired_at IS NULL
           JOIN topic t ON t.topic_id = q.topic_id AND t.retired_at IS NULL
           WHERE m.user_id = $1 AND m.due_at <= $2
           ORDER BY m.due_at, q.question_id
           LIMIT $3"#,
        user_id,
        now,
        limit
    )
    .fetch_all(pool)
    .await
}

/// One cold attempt as the export lists it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ColdAnswerExport {
    pub interview_id: Uuid,
    pub position: i32,
    /// Question id.
    pub question_id: Uuid,
    pub question_slug: String,
    /// The cold answer; null for a skip or before one was given.
    #[schema(required)]
    pub answer: Option<String>,
    pub skipped: bool,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    /// The rubric as it was shown, and the self-grade per point (null until graded).
    #[schema(required)]
    pub rubric: Option<Vec<String>>,
    #[schema(required)]
    pub grades: Option<Vec<PointGrade>>,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub graded_at: Option<OffsetDateTime>,
}

/// Every question of every mock interview of the learner, oldest session first.
pub async fn export_cold_answers(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<ColdAnswerExport>> {
    sqlx::query_as!(
        ColdAnswerExport,
        r#"SELECT i.interview_id, ii.position, q.question_id, q.slug AS question_slug, ii.answer, ii.skipped,
                  ii.answered_at, ii.rubric, ii.grades AS "grades: Vec<PointGrade>", ii.graded_at
           FROM interview i
           JOIN interview_item ii ON ii.interview_id = i.interview_id
           JOIN question q ON q.question_id = ii.question_id
           WHERE i.user_id = $1
           ORDER BY i.created_at, i.interview_id, ii.position"#,
        user_id
    )
    .fetch_all(pool)
    .await
}
