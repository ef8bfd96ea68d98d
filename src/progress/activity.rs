//! The daily activity record: counts per day in the learner's time zone, and streaks.

use sqlx::{PgConnection, PgPool};
use time::Date;
use uuid::Uuid;

/// Records one thing the learner did, now.
pub async fn record(conn: &mut PgConnection, user_id: Uuid, kind: &str) -> sqlx::Result<()> {
    record_at(conn, user_id, kind, None).await
}

/// Records activity at the device's time of it (`None`: now). Work done offline and
/// synced later counts on the day it was done, so a week on a train keeps the streak.
pub async fn record_at(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: &str,
    at: Option<time::OffsetDateTime>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO activity (user_id, kind, occurred_at) VALUES ($1, $2, COALESCE($3, now()))",
        user_id,
        kind,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How many things the learner has done, ever.
pub async fn count(pool: &PgPool, user_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM activity WHERE user_id = $1"#, user_id)
        .fetch_one(pool)
        .await
}

/// Whether PostgreSQL knows `name` as an IANA time zone.
pub async fn is_time_zone(pool: &PgPool, name: &str) -> sqlx::Result<bool> {
    if name.is_empty() || name.len() > 64 || name.contains('\0') {
        return Ok(false);
    }
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS "known!""#, name)
        .fetch_one(pool)
        .await
}

/// Every active day of the learner (in `tz`) with its count, oldest first, and today.
pub async fn days(pool: &PgPool, user_id: Uuid, tz: &str) -> sqlx::Result<(Vec<(Date, i64)>, Date)> {
    let days: Vec<(Date, i64)> = sqlx::query!(
        r#"SELECT (occurred_at AT TIME ZONE $2)::date AS "day!", count(*) AS "events!" FROM activity
           WHERE user_id = $1 GROUP BY 1 ORDER BY 1"#,
        user_id,
        tz
    )
    .map(|r| (r.day, r.events))
    .fetch_all(pool)
    .await?;
    let today: Date =
        sqlx::query_scalar!(r#"SELECT (now() AT TIME ZONE $1)::date AS "today!""#, tz).fetch_one(pool).await?;
    Ok((days, today))
}

/// Current and longest streak of consecutive active days. The current streak is alive
/// while the learner was active today or yesterday (today is not over yet).
pub fn streaks(active_days: &[Date], today: Date) -> (i64, i64) {
    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<Date> = None;
    for &day in active_days {
        run = match previous {
            Some(p) if p.next_day() == Some(day) => run + 1,
            Some(p) if p == day => run,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(day);
    }
    let current = match previous {
        Some(last) if last == today || last.next_day() == Some(today) => run,
        _ => 0,
    };
    (current, longest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn streaks_count_consecutive_days() {
        let days = [
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 02),
            date!(2026 - 11 - 03),
            date!(2026 - 11 - 10),
            date!(2026 - 11 - 11),
        ];
        assert_eq!(streaks(&days, date!(2026 - 11 - 11)), (2, 3));
        assert_eq!(streaks(&days, date!(2026 - 11 - 12)), (2, 3), "yesterday keeps the streak alive");
        assert_eq!(streaks(&days, date!(2026 - 11 - 13)), (0, 3), "a missed day ends it");
        assert_eq!(streaks(&[], date!(2026 - 11 - 13)), (0, 0));
    }

    #[test]
    fn streaks_cross_month_and_year_ends() {
        let days = [date!(2025 - 12 - 31), date!(2026 - 01 - 01), date!(2026 - 01 - 02)];
        assert_eq!(streaks(&days, date!(2026 - 01 - 02)), (3, 3));
    }
}
