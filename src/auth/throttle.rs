//! Sliding-window budgets for failed logins, password confirmations, registrations
//! and reset requests, kept in PostgreSQL so every instance behind a load balancer
//! shares them.
//!
//! The budget is spent *before* the expensive check, not after it: [`reserve`] first
//! records the attempt (committed at once), then counts the window including it. Of N
//! attempts sent at once at most `max` see a count within the budget: the (max+1)-th
//! to be recorded counts every earlier one, which committed before its own row did.
//! (A check-then-record sequence let every parallel guess pass the check while the
//! first ~50 ms hash ran.) A refused attempt stays recorded, so a burst over the budget
//! spends it for the whole window: the right password sent next is refused too. No
//! lock is held and no transaction stays open, so a burst from one address never
//! holds pool connections while it queues. Budgets that count failures only hand the
//! attempt back with [`Reservation::refund`] when the password was right.

use std::time::Duration;

use sqlx::PgPool;

pub const LOGIN_ACCOUNT: &str = "login-account";
pub const LOGIN_ADDRESS: &str = "login-address";
pub const REGISTER_ADDRESS: &str = "register-address";
pub const REGISTER_EMAIL: &str = "register-email";
pub const RESET_ACCOUNT: &str = "reset-account";
pub const RESET_ADDRESS: &str = "reset-address";
pub const VERIFY_ACCOUNT: &str = "verify-account";

/// The longest window any budget uses; older rows are pruned.
pub const MAX_WINDOW: Duration = crate::config::MAX_THROTTLE_WINDOW;

/// At most `max` attempts per `window` for `key` in `bucket`.
#[derive(Debug, Clone, Copy)]
pub struct Budget<'a> {
    pub bucket: &'static str,
    pub key: &'a str,
    pub max: u32,
    pub window: Duration,
}

/// Attempts recorded by [`reserve`], by bucket.
#[derive(Debug, Default)]
#[must_use = "an unused reservation counts as a failure; refund it when the attempt succeeds"]
pub struct Reservation {
    attempts: Vec<(&'static str, i64)>,
}

/// The answer of [`reserve`].
#[derive(Debug)]
pub enum Outcome {
    /// Under every budget; the attempt is recorded in each.
    Granted(Reservation),
    /// A budget is spent (this attempt stays counted). `bucket` names the first one.
    Refused { bucket: &'static str, retry_after_secs: u64 },
}

/// Records one attempt against every budget; refused when any is then over.
pub async fn reserve(pool: &PgPool, budgets: &[Budget<'_>]) -> sqlx::Result<Outcome> {
    let buckets: Vec<&str> = budgets.iter().map(|b| b.bucket).collect();
    let keys: Vec<&str> = budgets.iter().map(|b| b.key).collect();
    let windows: Vec<f64> = budgets.iter().map(|b| b.window.as_secs_f64()).collect();
    // 1. Record, committed at once (autocommit), so every later count sees it.
    let ids: Vec<i64> = sqlx::query_scalar!(
        r#"INSERT INTO auth_throttle (bucket, key)
           SELECT bucket, key FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS b(bucket, key, ord)
           ORDER BY ord
           RETURNING attempt_id"#,
        &buckets[..] as &[&str],
        &keys[..] as &[&str]
    )
    .fetch_all(pool)
    .await?;
    let reservation = Reservation { attempts: buckets.iter().copied().zip(ids.iter().copied()).collect() };
    // 2. Count each window, this attempt included.
    let counts = sqlx::query!(
        r#"SELECT count(t.attempt_id) AS "attempts!",
                  EXTRACT(EPOCH FROM (min(t.at) + make_interval(secs => b.secs) - now()))::float8 AS wait
           FROM unnest($1::text[], $2::text[], $3::float8[]) WITH ORDINALITY AS b(bucket, key, secs, ord)
           LEFT JOIN auth_throttle t
                  ON t.bucket = b.bucket AND t.key = b.key AND t.at > now() - make_interval(secs => b.secs)
           GROUP BY b.ord, b.secs
           ORDER BY b.ord"#,
        &buckets[..] as &[&str],
        &keys[..] as &[&str],
        &windows
    )
    .fetch_all(pool)
    .await?;
    for (budget, row) in budgets.iter().zip(counts) {
        if row.attempts > i64::from(budget.max) {
            // Over, and the attempt stays counted: handing it back would let a burst
            // that every member sees as over leave no trace, and try again at once.
            let window_secs = budget.window.as_secs_f64();
            let wait = row.wait.unwrap_or(window_secs).ceil().clamp(1.0, window_secs.max(1.0)) as u64;
            return Ok(Outcome::Refused { bucket: budget.bucket, retry_after_secs: wait });
        }
    }
    Ok(Outcome::Granted(reservation))
}

impl Reservation {
    /// Hands back the attempt recorded in `bucket` (it succeeded, and the bucket
    /// counts failures only).
    pub async fn refund(&self, pool: &PgPool, bucket: &str) -> sqlx::Result<()> {
        let ids: Vec<i64> = self.attempts.iter().filter(|(b, _)| *b == bucket).map(|(_, id)| *id).collect();
        if !ids.is_empty() {
            sqlx::query!("DELETE FROM auth_throttle WHERE attempt_id = ANY($1)", &ids).execute(pool).await?;
        }
        Ok(())
    }
}

/// Forgets every attempt of `key` in `bucket` (a successful login clears its account).
pub async fn clear(pool: &PgPool, bucket: &str, key: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM auth_throttle WHERE bucket = $1 AND key = $2", bucket, key).execute(pool).await?;
    Ok(())
}

/// Deletes attempts older than any window; returns how many went.
pub async fn prune(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM auth_throttle WHERE at < now() - make_interval(secs => $1)", MAX_WINDOW.as_secs_f64())
        .execute(pool)
        .await?
        .rows_affected())
}
