//! Sliding-window counters of failed logins and registrations, kept in PostgreSQL so
//! every instance behind a load balancer sees the same counts.

use std::time::Duration;

use sqlx::PgPool;

pub const LOGIN_ACCOUNT: &str = "login-account";
pub const LOGIN_ADDRESS: &str = "login-address";
pub const REGISTER_ADDRESS: &str = "register-address";

/// Seconds until `key` may try again, or `None` when it is under `max` in the window.
pub async fn retry_after(
    pool: &PgPool,
    bucket: &str,
    key: &str,
    max: u32,
    window: Duration,
) -> sqlx::Result<Option<u64>> {
    let window_secs = window.as_secs_f64();
    let (count, wait): (i64, Option<f64>) = sqlx::query_as(
        r#"
        SELECT count(*),
               EXTRACT(EPOCH FROM (min(at) + make_interval(secs => $3) - now()))::float8
        FROM auth_throttle
        WHERE bucket = $1 AND key = $2 AND at > now() - make_interval(secs => $3)
        "#,
    )
    .bind(bucket)
    .bind(key)
    .bind(window_secs)
    .fetch_one(pool)
    .await?;
    if count >= i64::from(max) { Ok(Some(wait.unwrap_or(window_secs).ceil().max(1.0) as u64)) } else { Ok(None) }
}

/// Records one event and forgets this key's events older than the window.
pub async fn record(pool: &PgPool, bucket: &str, key: &str, window: Duration) -> sqlx::Result<()> {
    sqlx::query(
        r#"
        WITH expired AS (
            DELETE FROM auth_throttle
            WHERE bucket = $1 AND key = $2 AND at <= now() - make_interval(secs => $3)
        )
        INSERT INTO auth_throttle (bucket, key) VALUES ($1, $2)
        "#,
    )
    .bind(bucket)
    .bind(key)
    .bind(window.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn clear(pool: &PgPool, bucket: &str, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM auth_throttle WHERE bucket = $1 AND key = $2")
        .bind(bucket)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}
