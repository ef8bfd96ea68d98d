//! SQL for flashcard reviews: card states, the review log, what is due and the
//! statistics. Writes to `card_state` bump the learner's `progress_version` (the
//! `progress_version` migration's trigger), which keeps every instance's progress memo
//! honest.

use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{CardState, ReviewOutcome};
use super::schedule::CardMemory;

/// A card as the due list shows it (state and due time are null for a new card).
pub struct CardRow {
    pub flashcard_id: Uuid,
    pub slug: String,
    pub front: String,
    pub back: String,
    pub question_id: Option<Uuid>,
    pub topic_slug: String,
    pub topic_title: String,
    pub state: Option<String>,
    pub due_at: Option<OffsetDateTime>,
    /// The card's memory (null for a new card), for the intervals each rating would give.
    pub stability: Option<f32>,
    pub difficulty: Option<f32>,
    pub last_reviewed_at: Option<OffsetDateTime>,
    pub reps: Option<i32>,
    pub lapses: Option<i32>,
}

/// Every live topic, by slug.
pub async fn live_topic_ids(pool: &PgPool) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!("SELECT topic_id FROM topic WHERE retired_at IS NULL ORDER BY slug").fetch_all(pool).await
}

pub async fn live_topic_id(pool: &PgPool, slug: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("SELECT topic_id FROM topic WHERE slug = $1 AND retired_at IS NULL", slug)
        .fetch_optional(pool)
        .await
}

/// Reviewed cards of `topics` due by `now`, most overdue first.
pub async fn due(
    pool: &PgPool,
    user_id: Uuid,
    topics: &[Uuid],
    now: OffsetDateTime,
    limit: i64,
) -> sqlx::Result<Vec<CardRow>> {
    sqlx::query_as!(
        CardRow,
        r#"SELECT f.flashcard_id, f.slug, f.front, f.back, f.question_id, t.slug AS topic_slug, t.title AS topic_title,
                  c.state, c.due_at, c.stability AS "stability?", c.difficulty AS "difficulty?",
                  c.last_reviewed_at AS "last_reviewed_at?", c.reps AS "reps?", c.lapses AS "lapses?"
           FROM card_state c
           JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
           JOIN topic t ON t.topic_id = f.topic_id AND t.retired_at IS NULL
           WHERE c.user_id = $1 AND c.due_at <= $2 AND f.topic_id = ANY ($3)
           ORDER BY c.due_at, f.flashcard_id LIMIT $4"#,
        user_id,
        now,
        topics,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Cards first reviewed on `now`'s date in `tz` (the daily new-card cap counts these).
pub async fn started_on_the_day(pool: &PgPool, user_id: Uuid, tz: &str, now: OffsetDateTime) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM card_state
           WHERE user_id = $1 AND (first_reviewed_at AT TIME ZONE $2)::date = ($3::timestamptz AT TIME ZONE $2)::date"#,
        user_id,
        tz,
        now
    )
    .fetch_one(pool)
    .await
}

/// Cards of `topics` never reviewed, in the order of `topics`, then position.
pub async fn unseen(pool: &PgPool, user_id: Uuid, topics: &[Uuid], limit: i64) -> sqlx::Result<Vec<CardRow>> {
    sqlx::query_as!(
        CardRow,
        r#"SELECT f.flashcard_id, f.slug, f.front, f.back, f.question_id, t.slug AS topic_slug, t.title AS topic_title,
                  NULL::text AS state, NULL::timestamptz AS due_at, NULL::real AS stability,
                  NULL::real AS difficulty, NULL::timestamptz AS last_reviewed_at, NULL::int AS reps,
                  NULL::int AS lapses
           FROM flashcard f
           JOIN topic t ON t.topic_id = f.topic_id AND t.retired_at IS NULL
           LEFT JOIN card_state c ON c.flashcard_id = f.flashcard_id AND c.user_id = $1
           WHERE c.flashcard_id IS NULL AND f.retired_at IS NULL AND f.topic_id = ANY ($2)
           ORDER BY array_position($2, f.topic_id), f.position, f.slug LIMIT $3"#,
        user_id,
        topics,
        limit
    )
    .fetch_all(pool)
    .await
}

pub async fn flashcard_is_live(db: impl sqlx::PgExecutor<'_>, flashcard_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM flashcard f JOIN topic t ON t.topic_id = f.topic_id
                          WHERE f.flashcard_id = $1 AND f.retired_at IS NULL AND t.retired_at IS NULL) AS "exists!""#,
        flashcard_id
    )
    .fetch_one(db)
    .await
}

/// Serialises every review of one learner until the transaction ends.
pub async fn lock_learner(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text, 7))", user_id).execute(conn).await?;
    Ok(())
}

/// The stored answer to `review_id` and whose it is, when it was recorded before.
pub async fn recorded(conn: &mut PgConnection, review_id: Uuid) -> sqlx::Result<Option<(Uuid, ReviewOutcome)>> {
    let row: Option<(Uuid, sqlx::types::Json<ReviewOutcome>)> =
        sqlx::query!(r#"SELECT user_id AS "user_id!", response AS "response!: Json<ReviewOutcome>" FROM review_log WHERE review_id = $1"#, review_id)
        .map(|r| (r.user_id, r.response))
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(owner, response)| (owner, response.0)))
}

struct StateRow {
    state: CardState,
    stability: f32,
    difficulty: f32,
    last_reviewed_at: OffsetDateTime,
    reps: i32,
    lapses: i32,
}

/// The card's memory for the learner; `None` for a card never reviewed.
pub async fn memory(conn: &mut PgConnection, user_id: Uuid, flashcard_id: Uuid) -> sqlx::Result<Option<CardMemory>> {
    let row: Option<StateRow> = sqlx::query_as!(StateRow, r#"SELECT state AS "state: CardState", stability, difficulty, last_reviewed_at, reps, lapses FROM card_state WHERE user_id = $1 AND flashcard_id = $2"#, user_id, flashcard_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|c| CardMemory {
        state: c.state,
        stability: c.stability,
        difficulty: c.difficulty,
        last_reviewed_at: c.last_reviewed_at,
        reps: c.reps,
        lapses: c.lapses,
    }))
}

/// Stores the card's new memory and due time (first review or a later one).
pub async fn save_memory(
    conn: &mut PgConnection,
    user_id: Uuid,
    flashcard_id: Uuid,
    memory: &CardMemory,
    due_at: OffsetDateTime,
    reviewed_at: OffsetDateTime,
) -> sqlx::Result<()> {
    // `last_reviewed_at` is the memory's (the newest review, also after a replay);
    // `first_reviewed_at` moves back when an older review arrives late.
    sqlx::query!(
        r#"INSERT INTO card_state (user_id, flashcard_id, state, stability, difficulty, due_at, last_reviewed_at,
                                   first_reviewed_at, reps, lapses)
           VALUES ($1, $2, $3, $4, $5, $6, $10, $7, $8, $9)
           ON CONFLICT (user_id, flashcard_id) DO UPDATE
           SET state = excluded.state, stability = excluded.stability, difficulty = excluded.difficulty,
               due_at = excluded.due_at, last_reviewed_at = excluded.last_reviewed_at, reps = excluded.reps,
               lapses = excluded.lapses,
               first_reviewed_at = LEAST(card_state.first_reviewed_at, excluded.first_reviewed_at)"#,
        user_id,
        flashcard_id,
        memory.state.as_str(),
        memory.stability,
        memory.difficulty,
        due_at,
        reviewed_at,
        memory.reps,
        memory.lapses,
        memory.last_reviewed_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The card's reviews by the learner, in time order (ties by review id).
pub async fn card_history(
    conn: &mut PgConnection,
    user_id: Uuid,
    flashcard_id: Uuid,
) -> sqlx::Result<Vec<(OffsetDateTime, crate::review::model::Rating, Uuid)>> {
    sqlx::query!(
        r#"SELECT reviewed_at, rating AS "rating: crate::review::model::Rating", review_id FROM review_log
           WHERE user_id = $1 AND flashcard_id = $2 ORDER BY reviewed_at, review_id"#,
        user_id,
        flashcard_id
    )
    .map(|r| (r.reviewed_at, r.rating, r.review_id))
    .fetch_all(conn)
    .await
}

/// Appends the review and the answer a retry of it gets.
pub async fn log(
    conn: &mut PgConnection,
    user_id: Uuid,
    state_before: &str,
    outcome: &ReviewOutcome,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO review_log (review_id, user_id, flashcard_id, rating, reviewed_at, state_before, response)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        outcome.review_id,
        user_id,
        outcome.flashcard_id,
        outcome.rating.as_str(),
        outcome.reviewed_at,
        state_before,
        sqlx::types::Json(outcome) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Reviews per day in `tz` over the 30 days before `now`.
pub async fn reviews_per_day(
    pool: &PgPool,
    user_id: Uuid,
    tz: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<(Date, i64)>> {
    sqlx::query!(
        r#"SELECT (reviewed_at AT TIME ZONE $2)::date AS "day!", count(*) AS "reviews!" FROM review_log
           WHERE user_id = $1 AND reviewed_at > $3::timestamptz - interval '30 days'
           GROUP BY 1 ORDER BY 1"#,
        user_id,
        tz,
        now
    )
    .map(|r| (r.day, r.reviews))
    .fetch_all(pool)
    .await
}

/// Reviews and those not rated `again`: ever, and in the 30 days before `now`.
pub async fn retention_counts(pool: &PgPool, user_id: Uuid, now: OffsetDateTime) -> sqlx::Result<(i64, i64, i64, i64)> {
    sqlx::query!(r#"SELECT count(*) AS "reviews!", count(*) FILTER (WHERE rating <> 'again') AS "recalled!",
                  count(*) FILTER (WHERE reviewed_at > $2::timestamptz - interval '30 days') AS "recent!",
                  count(*) FILTER (WHERE rating <> 'again' AND reviewed_at > $2::timestamptz - interval '30 days') AS "recent_recalled!"
           FROM review_log WHERE user_id = $1"#, user_id, now)
        .map(|r| (r.reviews, r.recalled, r.recent, r.recent_recalled))
    .fetch_one(pool)
    .await
}

/// Live flashcards, and the learner's cards learning, in review and relearning.
pub async fn cards_by_state(pool: &PgPool, user_id: Uuid) -> sqlx::Result<(i64, i64, i64, i64)> {
    sqlx::query!(
        r#"SELECT (SELECT count(*) FROM flashcard f JOIN topic t ON t.topic_id = f.topic_id
                   WHERE f.retired_at IS NULL AND t.retired_at IS NULL) AS "cards!",
                  count(*) FILTER (WHERE c.state = 'learning') AS "learning!",
                  count(*) FILTER (WHERE c.state = 'review') AS "review!",
                  count(*) FILTER (WHERE c.state = 'relearning') AS "relearning!"
           FROM card_state c JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
           WHERE c.user_id = $1"#,
        user_id
    )
    .map(|r| (r.cards, r.learning, r.review, r.relearning))
    .fetch_one(pool)
    .await
}

/// One review as the export lists it, in the columns FSRS optimizer tools read: the
/// card, the review, the rating (1 again, 2 hard, 3 good, 4 easy) and its time.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewExport {
    pub card_id: Uuid,
    pub review_id: Uuid,
    #[schema(minimum = 1, maximum = 4)]
    pub rating: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub reviewed_at: OffsetDateTime,
}

/// The learner's whole review log, oldest first.
pub async fn export_reviews(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<ReviewExport>> {
    sqlx::query_as!(
        ReviewExport,
        r#"SELECT flashcard_id AS card_id, review_id,
                  CASE rating WHEN 'again' THEN 1 WHEN 'hard' THEN 2 WHEN 'good' THEN 3 ELSE 4 END AS "rating!",
                  reviewed_at
           FROM review_log WHERE user_id = $1 ORDER BY reviewed_at, review_id"#,
        user_id
    )
    .fetch_all(pool)
    .await
}
