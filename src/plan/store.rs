//! SQL for goals and the day's counts the agenda is made from.

use sqlx::PgPool;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A stored goal with its track.
#[derive(Debug, Clone)]
pub struct GoalRow {
    pub track_id: Uuid,
    pub track_slug: String,
    pub track_title: String,
    pub interview_date: Date,
    pub minutes_per_day: i32,
    pub weekdays: i16,
    pub electives: Vec<String>,
}

pub async fn upsert(
    pool: &PgPool,
    user_id: Uuid,
    track_id: Uuid,
    interview_date: Date,
    minutes_per_day: i32,
    weekdays: i16,
    electives: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO goal (user_id, track_id, interview_date, minutes_per_day, weekdays, electives)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (user_id, track_id) DO UPDATE
           SET interview_date = EXCLUDED.interview_date, minutes_per_day = EXCLUDED.minutes_per_day,
               weekdays = EXCLUDED.weekdays, electives = EXCLUDED.electives, updated_at = now()"#,
        user_id,
        track_id,
        interview_date,
        minutes_per_day,
        weekdays,
        electives
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The learner's goals on live tracks, by track slug.
pub async fn goals(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<GoalRow>> {
    sqlx::query_as!(
        GoalRow,
        r#"SELECT g.track_id, t.slug AS track_slug, t.title AS track_title, g.interview_date, g.minutes_per_day,
                  g.weekdays, g.electives
           FROM goal g JOIN track t ON t.track_id = g.track_id AND t.retired_at IS NULL
           WHERE g.user_id = $1 ORDER BY t.slug"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

pub async fn delete(pool: &PgPool, user_id: Uuid, track_id: Uuid) -> sqlx::Result<bool> {
    let done =
        sqlx::query!("DELETE FROM goal WHERE user_id = $1 AND track_id = $2", user_id, track_id).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}

/// Today's date in the learner's time zone.
pub async fn local_today(pool: &PgPool, user_id: Uuid, now: OffsetDateTime) -> sqlx::Result<Date> {
    sqlx::query_scalar!(
        r#"SELECT ($2::timestamptz AT TIME ZONE timezone)::date AS "today!" FROM app_user WHERE user_id = $1"#,
        user_id,
        now
    )
    .fetch_one(pool)
    .await
}

/// What the agenda needs to know about the learner's day on one track, in one
/// statement: today's date in their time zone, their daily new-card cap and how much
/// of it is used, the flashcards and questions of `topics` due by the end of the local
/// day, and the never-reviewed cards of the topic under way.
pub struct DayRow {
    pub today: Date,
    /// The end of the local day (the next local midnight).
    pub day_end: OffsetDateTime,
    pub timezone: String,
    pub new_cards_per_day: i32,
    pub started_today: i64,
    pub cards_due: i64,
    pub questions_due: i64,
    pub unseen_cards: i64,
}

pub async fn day(
    pool: &PgPool,
    user_id: Uuid,
    topics: &[Uuid],
    next_topic: Option<Uuid>,
    now: OffsetDateTime,
) -> sqlx::Result<DayRow> {
    sqlx::query_as!(
        DayRow,
        r#"WITH bounds AS (
               SELECT u.timezone, ($2::timestamptz AT TIME ZONE u.timezone)::date AS today,
                      ((($2::timestamptz AT TIME ZONE u.timezone)::date + 1)::timestamp AT TIME ZONE u.timezone) AS day_end,
                      u.new_cards_per_day
               FROM app_user u WHERE u.user_id = $1
           )
           SELECT b.today AS "today!", b.day_end AS "day_end!", b.timezone, b.new_cards_per_day,
                  (SELECT count(*) FROM card_state c
                   WHERE c.user_id = $1 AND (c.first_reviewed_at AT TIME ZONE b.timezone)::date = b.today)
                      AS "started_today!",
                  (SELECT count(*) FROM card_state c
                   JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
                   WHERE c.user_id = $1 AND c.due_at < b.day_end AND f.topic_id = ANY ($3)) AS "cards_due!",
                  (SELECT count(*) FROM question_memory m
                   JOIN question q ON q.question_id = m.question_id AND q.retired_at IS NULL
                   WHERE m.user_id = $1 AND m.due_at < b.day_end AND q.topic_id = ANY ($3)) AS "questions_due!",
                  (SELECT count(*) FROM flashcard f
                   LEFT JOIN card_state c ON c.flashcard_id = f.flashcard_id AND c.user_id = $1
                   WHERE f.topic_id = $4 AND f.retired_at IS NULL AND c.flashcard_id IS NULL) AS "unseen_cards!"
           FROM bounds b"#,
        user_id,
        now,
        topics,
        next_topic
    )
    .fetch_one(pool)
    .await
}
