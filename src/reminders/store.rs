//! SQL for reminder settings, the day's due cards and active days, and the record of
//! reminders sent.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Every live track: (slug, title), by slug.
pub async fn live_tracks(pool: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query!(r#"SELECT slug AS "slug!", title AS "title!" FROM track WHERE retired_at IS NULL ORDER BY slug"#)
        .map(|r| (r.slug, r.title))
        .fetch_all(pool)
        .await
}

/// Stored settings: (enabled, local hour, day set). `None` when never set.
pub async fn settings(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Option<(bool, i16, i16)>> {
    sqlx::query!(r#"SELECT enabled AS "enabled!", local_hour AS "local_hour!", weekdays AS "weekdays!" FROM reminder_setting WHERE user_id = $1"#, user_id)
        .map(|r| (r.enabled, r.local_hour, r.weekdays))
        .fetch_optional(pool)
        .await
}

pub async fn save(pool: &PgPool, user_id: Uuid, enabled: bool, local_hour: i16, weekdays: i16) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO reminder_setting (user_id, enabled, local_hour, weekdays) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id) DO UPDATE
           SET enabled = $2, local_hour = $3, weekdays = $4, updated_at = now()"#,
        user_id,
        enabled,
        local_hour,
        weekdays
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Turns reminders off (the unsubscribe link); `false` when the account is gone.
pub async fn switch_off(pool: &PgPool, user_id: Uuid) -> sqlx::Result<bool> {
    let exists: bool =
        sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM app_user WHERE user_id = $1) AS "exists!""#, user_id)
            .fetch_one(pool)
            .await?;
    if exists {
        sqlx::query!("UPDATE reminder_setting SET enabled = false, updated_at = now() WHERE user_id = $1", user_id)
            .execute(pool)
            .await?;
    }
    Ok(exists)
}

/// Reviewed cards (of live flashcards) due by `now` and by the end of the local day.
pub async fn due_counts(pool: &PgPool, user_id: Uuid, tz: &str, now: OffsetDateTime) -> sqlx::Result<(i64, i64)> {
    sqlx::query!(r#"SELECT count(*) FILTER (WHERE c.due_at <= $3) AS "due_now!",
                  count(*) FILTER (WHERE c.due_at < ((($3 AT TIME ZONE $2)::date + 1)::timestamp AT TIME ZONE $2)) AS "due_today!"
           FROM card_state c
           JOIN flashcard f ON f.flashcard_id = c.flashcard_id AND f.retired_at IS NULL
           JOIN topic t ON t.topic_id = f.topic_id AND t.retired_at IS NULL
           WHERE c.user_id = $1"#, user_id, tz, now)
        .map(|r| (r.due_now, r.due_today))
    .fetch_one(pool)
    .await
}

/// The learner's active days in `tz` up to `now` (oldest first), and `now`'s local date.
pub async fn active_days(
    pool: &PgPool,
    user_id: Uuid,
    tz: &str,
    now: OffsetDateTime,
) -> sqlx::Result<(Vec<Date>, Date)> {
    let days: Vec<Date> = sqlx::query_scalar!(
        r#"SELECT DISTINCT (occurred_at AT TIME ZONE $2)::date AS "day!" FROM activity
           WHERE user_id = $1 AND occurred_at <= $3 ORDER BY 1"#,
        user_id,
        tz,
        now
    )
    .fetch_all(pool)
    .await?;
    let today: Date = sqlx::query_scalar!(r#"SELECT ($1::timestamptz AT TIME ZONE $2)::date AS "today!""#, now, tz)
        .fetch_one(pool)
        .await?;
    Ok((days, today))
}

/// A learner whose reminder hour has come today (their time zone) on one of their
/// days, with no reminder sent yet for that local date.
#[derive(Debug)]
pub struct DueLearner {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    pub local_date: Date,
}

/// Up to `limit` learners to consider at `now`.
pub async fn due_learners(pool: &PgPool, now: OffsetDateTime, limit: i64) -> sqlx::Result<Vec<DueLearner>> {
    sqlx::query_as!(DueLearner, r#"SELECT u.user_id, u.email, u.display_name, u.timezone,
                  ($1::timestamptz AT TIME ZONE u.timezone)::date AS "local_date!"
           FROM reminder_setting s
           JOIN app_user u ON u.user_id = s.user_id AND u.disabled_at IS NULL
           WHERE s.enabled
             AND extract(hour FROM $1::timestamptz AT TIME ZONE u.timezone) >= s.local_hour
             AND s.weekdays & (1 << (extract(isodow FROM $1::timestamptz AT TIME ZONE u.timezone)::int - 1))::smallint <> 0
             AND NOT EXISTS (
                 SELECT 1 FROM reminder_sent r
                 WHERE r.user_id = s.user_id AND r.local_date = ($1::timestamptz AT TIME ZONE u.timezone)::date)
           ORDER BY u.user_id
           LIMIT $2"#, now, limit)
    .fetch_all(pool)
    .await
}

/// Claims the learner's reminder for `local_date`: `false` when one was already sent
/// (by this instance or another).
pub async fn claim_day(conn: &mut PgConnection, user_id: Uuid, local_date: Date) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO reminder_sent (user_id, local_date) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        user_id,
        local_date
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the record of reminders older than two weeks (only today's and
/// yesterday's matter, whatever the time zone).
pub async fn prune_sent(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM reminder_sent WHERE local_date < current_date - 14")
        .execute(pool)
        .await?
        .rows_affected())
}
