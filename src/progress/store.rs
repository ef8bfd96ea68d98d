//! SQL for marks and the per-topic figures progress is computed from.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::activity;
use super::fill::TopicInput;
use super::model::{QuestionCounts, QuestionStatus, QuizStats, TopicStatus};
use crate::webhooks::events::{self, EventType};
use crate::webhooks::model::LearnerEventData;

/// Whether a question is live (marks can only be set on visible content).
pub async fn question_is_live(pool: &PgPool, question_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM question q JOIN topic t ON t.topic_id = q.topic_id
                          WHERE q.question_id = $1 AND q.retired_at IS NULL AND t.retired_at IS NULL) AS "exists!""#,
        question_id
    )
    .fetch_one(pool)
    .await
}

/// Where a kind of mark lives, and the status order that breaks ties between writes
/// made at the same instant (so every device converges on the same row).
#[derive(Clone, Copy)]
struct MarkTable {
    table: &'static str,
    key_col: &'static str,
    order: &'static [&'static str],
}

const QUESTION_MARKS: MarkTable =
    MarkTable { table: "question_mark", key_col: "question_id", order: &["new", "learning", "got_it"] };
const TOPIC_MARKS: MarkTable =
    MarkTable { table: "topic_mark", key_col: "topic_id", order: &["not_started", "learning", "done", "skipped"] };

/// When a mark was made, and whether the device said so or the server stamped it on
/// arrival. The difference matters for a repeat of the standing status: a device's
/// time is the learner's own account of when they last said so, while a server stamp
/// on a repeated PUT is only the moment the same request came again.
#[derive(Debug, Clone, Copy)]
pub struct MarkedAt {
    pub at: OffsetDateTime,
    pub from_client: bool,
}

/// Last-writer-wins: a write is taken when it is newer than the newest write seen so
/// far (`last_write_at`, ties broken by status order). The row is locked while that is
/// decided, so concurrent writes from several devices serialise. The standing
/// `marked_at` is the time of the newest write, so devices converge on the same row
/// whatever order their writes arrive in; the one exception is a server-stamped repeat
/// of the standing status, which advances only `last_write_at` so that the same PUT
/// twice is one change. A change of status is recorded as activity in the same
/// transaction. Returns the standing status, when it was set, and whether this write
/// changed the status.
async fn set_mark(
    conn: &mut PgConnection,
    marks: &MarkTable,
    user_id: Uuid,
    key: Uuid,
    status: &str,
    marked: MarkedAt,
) -> sqlx::Result<(String, OffsetDateTime, bool)> {
    // The statements below are built at run time only to name the table and key column:
    // question and topic marks have the same shape and rules, and `MarkTable` is one of
    // two constants, never input. Everything a request sends is bound.
    let MarkTable { table, key_col, order } = *marks;
    let at = marked.at;
    let inserted: Option<(String, OffsetDateTime)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        r#"INSERT INTO {table} (user_id, {key_col}, status, marked_at, last_write_at) VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (user_id, {key_col}) DO NOTHING RETURNING status, marked_at"#
    )))
    .bind(user_id)
    .bind(key)
    .bind(status)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((status, marked_at)) = inserted {
        activity::record_at(&mut *conn, user_id, table, marked.from_client.then_some(at)).await?;
        return Ok((status, marked_at, true));
    }
    let (current, marked_at, last_write): (String, OffsetDateTime, OffsetDateTime) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT status, marked_at, last_write_at FROM {table} WHERE user_id = $1 AND {key_col} = $2 FOR UPDATE"
        )))
        .bind(user_id)
        .bind(key)
        .fetch_one(&mut *conn)
        .await?;
    let rank = |s: &str| order.iter().position(|o| *o == s);
    let newer = at > last_write || (at == last_write && rank(status) > rank(&current));
    if !newer {
        return Ok((current, marked_at, false));
    }
    if current == status && !marked.from_client {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET last_write_at = $3 WHERE user_id = $1 AND {key_col} = $2"
        )))
        .bind(user_id)
        .bind(key)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        return Ok((current, marked_at, false));
    }
    if current == status {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET marked_at = $3, last_write_at = $3 WHERE user_id = $1 AND {key_col} = $2"
        )))
        .bind(user_id)
        .bind(key)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        return Ok((current, at, false));
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        r#"UPDATE {table} SET status = $3, marked_at = $4, last_write_at = $4, updated_at = now()
           WHERE user_id = $1 AND {key_col} = $2"#
    )))
    .bind(user_id)
    .bind(key)
    .bind(status)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    activity::record_at(&mut *conn, user_id, table, marked.from_client.then_some(at)).await?;
    Ok((status.to_owned(), at, true))
}

pub async fn set_question_mark(
    conn: &mut PgConnection,
    user_id: Uuid,
    question_id: Uuid,
    status: &str,
    marked_at: MarkedAt,
) -> sqlx::Result<(String, OffsetDateTime, bool)> {
    set_mark(conn, &QUESTION_MARKS, user_id, question_id, status, marked_at).await
}

pub async fn set_topic_mark(
    conn: &mut PgConnection,
    user_id: Uuid,
    topic_id: Uuid,
    status: &str,
    marked_at: MarkedAt,
) -> sqlx::Result<(String, OffsetDateTime, bool)> {
    let (standing, at, applied) = set_mark(&mut *conn, &TOPIC_MARKS, user_id, topic_id, status, marked_at).await?;
    if applied && standing == TopicStatus::Done.as_str() {
        let shared = LearnerEventData {
            learner_id: user_id,
            object_type: "topic".into(),
            object_id: topic_id,
            result: None,
            score: None,
        };
        events::emit_for_learner(conn, EventType::TopicCompleted, at, &shared).await?;
    }
    Ok((standing, at, applied))
}

/// One topic's figures for one learner, as the query below returns them.
struct LearnerRow {
    topic_id: Uuid,
    got_it: i64,
    learning: i64,
    mark: Option<String>,
    answered: i64,
    best_accuracy: Option<f64>,
    recent_accuracy: Option<f64>,
    due: i64,
    overdue: i64,
    valid_until: Option<OffsetDateTime>,
}

/// Everything progress needs to know about one learner and `topics`, in one statement
/// (one round trip, one connection): question marks over live questions, the topic
/// mark, quiz accuracy per attempt (best and most recent), and flashcards due now / for
/// more than a day. (Claimed beside verified comes from [`question_evidence`].) Only the learner's own rows are read; live question totals come from
/// the cached roadmap (`totals`), not from a count over the catalogue.
pub async fn learner_inputs(
    pool: &PgPool,
    user_id: Uuid,
    totals: &[(Uuid, i64)],
    now: OffsetDateTime,
) -> sqlx::Result<(HashMap<Uuid, TopicInput>, Option<OffsetDateTime>)> {
    let topics: Vec<Uuid> = totals.iter().map(|(id, _)| *id).collect();
    let rows: Vec<LearnerRow> = sqlx::query_as!(LearnerRow, r#"
        WITH marks AS (
            SELECT q.topic_id,
                   count(*) FILTER (WHERE m.status = 'got_it') AS got_it,
                   count(*) FILTER (WHERE m.status = 'learning') AS learning
            FROM question_mark m
            JOIN question q ON q.question_id = m.question_id AND q.retired_at IS NULL
            WHERE m.user_id = $1 AND q.topic_id = ANY ($2)
            GROUP BY q.topic_id
        ), per_attempt AS (
            SELECT ai.topic_id, a.attempt_id, a.submitted_at,
                   count(*) AS total, count(*) FILTER (WHERE ai.is_correct) AS correct
            FROM quiz_attempt a JOIN quiz_attempt_item ai ON ai.attempt_id = a.attempt_id
            WHERE a.user_id = $1 AND a.submitted_at IS NOT NULL AND ai.topic_id = ANY ($2)
            GROUP BY ai.topic_id, a.attempt_id, a.submitted_at
        ), quiz AS (
            SELECT topic_id, sum(total)::bigint AS answered,
                   max(correct::float8 / total) AS best_accuracy,
                   (array_agg(correct::float8 / total ORDER BY submitted_at DESC, attempt_id DESC))[1]
                       AS recent_accuracy
            FROM per_attempt GROUP BY topic_id
        ), due AS (
            SELECT f.topic_id, count(*) AS due, count(*) FILTER (WHERE c.due_at < $3::timestamptz - interval '1 day') AS overdue
            FROM card_state c JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
            WHERE c.user_id = $1 AND f.topic_id = ANY ($2) AND c.due_at <= $3
            GROUP BY f.topic_id
        )
        SELECT t.topic_id AS "topic_id!",
               COALESCE(marks.got_it, 0) AS "got_it!", COALESCE(marks.learning, 0) AS "learning!",
               tm.status AS "mark?",
               COALESCE(quiz.answered, 0) AS "answered!", quiz.best_accuracy, quiz.recent_accuracy,
               COALESCE(due.due, 0) AS "due!", COALESCE(due.overdue, 0) AS "overdue!",
               -- The next moment a card becomes due (due_at <= now) or overdue
               -- (due_at < now - 1 day): until then the figures above hold.
               (SELECT min(CASE WHEN c.due_at > $3 THEN c.due_at ELSE c.due_at + interval '1 day' END)
                FROM card_state c JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
                WHERE c.user_id = $1 AND c.due_at + interval '1 day' >= $3) AS "valid_until?"
        FROM unnest($2::uuid[]) AS t(topic_id)
        LEFT JOIN marks ON marks.topic_id = t.topic_id
        LEFT JOIN topic_mark tm ON tm.user_id = $1 AND tm.topic_id = t.topic_id
        LEFT JOIN quiz ON quiz.topic_id = t.topic_id
        LEFT JOIN due ON due.topic_id = t.topic_id
        "#, user_id, &topics, now)
    .fetch_all(pool)
    .await?;
    let totals: HashMap<Uuid, i64> = totals.iter().copied().collect();
    let valid_until = rows.first().and_then(|r| r.valid_until);
    let inputs = rows
        .into_iter()
        .map(|r| {
            let input = TopicInput {
                questions: QuestionCounts {
                    total: totals.get(&r.topic_id).copied().unwrap_or(0),
                    got_it: r.got_it,
                    learning: r.learning,
                },
                mark: r.mark.as_deref().and_then(TopicStatus::parse),
                quiz: QuizStats {
                    answered: r.answered,
                    best_accuracy: r.best_accuracy.map(round4),
                    recent_accuracy: r.recent_accuracy.map(round4),
                },
                flashcards_due: r.due,
                flashcards_overdue: r.overdue,
                proof: Default::default(),
            };
            (r.topic_id, input)
        })
        .collect();
    Ok((inputs, valid_until))
}

/// Four decimals, so equal progress always serialises (and hashes) equally.
fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Live questions of a topic the learner has not got yet, in study order.
pub async fn open_questions(pool: &PgPool, user_id: Uuid, topic_id: Uuid, limit: i64) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        r#"SELECT q.question_id FROM question q
           LEFT JOIN question_mark m ON m.question_id = q.question_id AND m.user_id = $1
           WHERE q.topic_id = $2 AND q.retired_at IS NULL AND m.status IS DISTINCT FROM 'got_it'
           ORDER BY q.position, q.slug LIMIT $3"#,
        user_id,
        topic_id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A learner's mark on a question, for the export.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QuestionMarkExport {
    /// Question id.
    pub id: Uuid,
    pub slug: String,
    pub status: QuestionStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub marked_at: OffsetDateTime,
    /// Whether the question is retired (the mark is kept regardless).
    pub retired: bool,
}

/// A learner's mark on a topic, for the export.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TopicMarkExport {
    /// Topic id.
    pub id: Uuid,
    pub slug: String,
    pub status: TopicStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub marked_at: OffsetDateTime,
    /// Whether the topic is retired (the mark is kept regardless).
    pub retired: bool,
}

pub async fn export_question_marks(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<QuestionMarkExport>> {
    sqlx::query_as!(QuestionMarkExport, r#"SELECT q.question_id AS id, q.slug, m.status AS "status: QuestionStatus", m.marked_at, q.retired_at IS NOT NULL AS "retired!"
           FROM question_mark m JOIN question q ON q.question_id = m.question_id
           WHERE m.user_id = $1 ORDER BY m.marked_at, q.slug"#, user_id)
    .fetch_all(pool)
    .await
}

pub async fn export_topic_marks(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<TopicMarkExport>> {
    sqlx::query_as!(TopicMarkExport, r#"SELECT t.topic_id AS id, t.slug, m.status AS "status: TopicStatus", m.marked_at, t.retired_at IS NOT NULL AS "retired!"
           FROM topic_mark m JOIN topic t ON t.topic_id = m.topic_id
           WHERE m.user_id = $1 ORDER BY m.marked_at, t.slug"#, user_id)
    .fetch_all(pool)
    .await
}

/// Every question of `topics` the learner has claimed or gathered evidence on, with
/// what [`super::verification`] judges it by, in one statement. Evidence is the
/// learner's graded quiz answers on the question's quiz items, their self-graded (or
/// skipped) cold answers, and their reviews of its flashcards; a cold answer passes at
/// 70% of the rubric points, the rating threshold between `hard` and `good`. Only the
/// learner's own rows are read.
pub async fn question_evidence(
    pool: &PgPool,
    user_id: Uuid,
    topics: &[Uuid],
) -> sqlx::Result<Vec<super::verification::QuestionEvidence>> {
    let rows = sqlx::query!(
        r#"
        -- The learner's evidence first, computed once from their own rows (each index
        -- keyed by user), then matched to the questions in scope by hash: the
        -- question list is a parameter the planner cannot estimate, so nothing may
        -- hinge on that estimate.
        WITH ev AS MATERIALIZED (
            SELECT ai.question_id, a.submitted_at AS at, ai.is_correct AS pass,
                   COALESCE(a.submitted_at < qi.major_revision_at, false) AS item_voided
            FROM quiz_attempt a
            JOIN quiz_attempt_item ai ON ai.attempt_id = a.attempt_id
            JOIN quiz_item qi ON qi.quiz_item_id = ai.quiz_item_id
            WHERE a.user_id = $1 AND a.submitted_at IS NOT NULL AND ai.is_correct IS NOT NULL
              AND ai.question_id IS NOT NULL AND ai.topic_id = ANY ($2)
            UNION ALL
            SELECT ii.question_id, COALESCE(ii.graded_at, ii.answered_at),
                   NOT ii.skipped AND (SELECT avg(CASE g WHEN 'got_it' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)
                                       FROM unnest(ii.grades) AS g) >= 0.7,
                   false
            FROM interview i
            JOIN interview_item ii ON ii.interview_id = i.interview_id
            WHERE i.user_id = $1 AND (ii.skipped OR ii.grades IS NOT NULL)
            UNION ALL
            SELECT f.question_id, r.reviewed_at, r.rating <> 'again', false
            FROM review_log r
            JOIN flashcard f ON f.flashcard_id = r.flashcard_id
            WHERE r.user_id = $1 AND f.question_id IS NOT NULL AND f.topic_id = ANY ($2)
        ), qs AS MATERIALIZED (
            SELECT q.question_id, q.topic_id, q.position, q.major_revision_at,
                   CASE WHEN m.status = 'got_it' THEN m.marked_at WHEN tm.status = 'done' THEN tm.marked_at END
                       AS claimed_at
            FROM question q
            LEFT JOIN question_mark m ON m.user_id = $1 AND m.question_id = q.question_id
            LEFT JOIN topic_mark tm ON tm.user_id = $1 AND tm.topic_id = q.topic_id
            WHERE q.topic_id = ANY ($2) AND q.retired_at IS NULL
        ), counted AS (
            SELECT ev.question_id, ev.at, ev.pass, qs.claimed_at,
                   ev.item_voided OR COALESCE(ev.at < qs.major_revision_at, false) AS voided
            FROM ev JOIN qs ON qs.question_id = ev.question_id
        ), judged AS MATERIALIZED (
            SELECT question_id,
                   max(at) FILTER (WHERE NOT voided) AS latest_at,
                   -- At the same instant a fail wins.
                   (array_agg(pass ORDER BY at DESC, pass) FILTER (WHERE NOT voided))[1] AS latest_pass,
                   (array_agg(pass ORDER BY at, pass) FILTER (WHERE at >= claimed_at))[1] AS first_after_claim,
                   bool_or(voided) AS voided
            FROM counted
            GROUP BY question_id
        ), cards AS MATERIALIZED (
            SELECT f.question_id, max(c.stability) AS stability
            FROM card_state c
            JOIN flashcard f ON f.flashcard_id = c.flashcard_id
            WHERE c.user_id = $1 AND f.question_id IS NOT NULL
            GROUP BY f.question_id
        )
        SELECT qs.question_id AS "question_id!", qs.topic_id AS "topic_id!", qs.claimed_at,
               j.latest_at, j.latest_pass, j.first_after_claim,
               (COALESCE(j.voided, false) OR COALESCE(qs.claimed_at < qs.major_revision_at, false)) AS "revised!",
               COALESCE(qm.stability, cards.stability) AS stability
        FROM qs
        LEFT JOIN judged j ON j.question_id = qs.question_id
        LEFT JOIN cards ON cards.question_id = qs.question_id
        LEFT JOIN question_memory qm ON qm.user_id = $1 AND qm.question_id = qs.question_id
        WHERE qs.claimed_at IS NOT NULL OR j.question_id IS NOT NULL
        ORDER BY qs.topic_id, qs.position, qs.question_id
        "#,
        user_id,
        topics
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| super::verification::QuestionEvidence {
            question_id: r.question_id,
            topic_id: r.topic_id,
            claimed_at: r.claimed_at,
            latest: r.latest_at.zip(r.latest_pass),
            first_after_claim: r.first_after_claim,
            revised: r.revised,
            stability: r.stability,
        })
        .collect())
}

/// A probe's question as listed, and whether a live quiz item can probe it.
pub struct ProbeQuestion {
    pub row: crate::catalog::store::QuestionRow,
    pub quizzable: bool,
}

/// The live questions among `ids`, in the order given.
pub async fn probe_questions(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Vec<ProbeQuestion>> {
    let rows = sqlx::query!(
        r#"SELECT q.question_id, q.slug, q.title, q.difficulty, q.tags, t.slug AS topic_slug, t.title AS topic_title,
                  EXISTS (SELECT 1 FROM quiz_item i WHERE i.question_id = q.question_id AND i.retired_at IS NULL)
                      AS "quizzable!"
           FROM unnest($1::uuid[]) WITH ORDINALITY AS wanted(question_id, ord)
           JOIN question q ON q.question_id = wanted.question_id AND q.retired_at IS NULL
           JOIN topic t ON t.topic_id = q.topic_id
           ORDER BY wanted.ord"#,
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProbeQuestion {
            row: crate::catalog::store::QuestionRow {
                question_id: r.question_id,
                slug: r.slug,
                title: r.title,
                difficulty: r.difficulty,
                tags: r.tags,
                topic_slug: r.topic_slug,
                topic_title: r.topic_title,
            },
            quizzable: r.quizzable,
        })
        .collect())
}
