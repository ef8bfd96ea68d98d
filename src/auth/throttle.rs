//! Sliding-window budgets for failed logins, password confirmations and registrations,
//! kept in PostgreSQL so every instance behind a load balancer shares them.
//!
//! The budget is spent *before* the expensive check, not after it: [`reserve`] takes
//! an advisory lock per budget, counts, and records the attempt in one transaction, so
//! N guesses sent at once are evaluated at most `max` times (a check-then-record
//! sequence lets every parallel guess through the check while the first ~50 ms hash
//! runs). Budgets that count failures only hand the attempt back with
//! [`Reservation::refund`] when the password turns out right.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub const LOGIN_ACCOUNT: &str = "login-account";
pub const LOGIN_ADDRESS: &str = "login-address";
pub const REGISTER_ADDRESS: &str = "register-address";
pub const RESET_ACCOUNT: &str = "reset-account";
pub const RESET_ADDRESS: &str = "reset-address";

/// The longest window any budget uses; older rows are pruned.
pub const MAX_WINDOW: Duration = Duration::from_secs(24 * 3600);

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
    /// A budget is spent: nothing was recorded. `bucket` names the first spent one.
    Refused { bucket: &'static str, retry_after_secs: u64 },
}

/// A 64-bit advisory-lock key for one bucket and key (collisions only serialise two
/// unrelated budgets for a moment, they never merge their counts).
fn lock_key(bucket: &str, key: &str) -> i64 {
    let digest = Sha256::new().chain_update(bucket).chain_update([0]).chain_update(key).finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Records one attempt against every budget, or none when any is spent.
///
/// Locks are taken in key order, so two requests reserving overlapping budgets cannot
/// deadlock; each is held until the transaction ends, which is after the attempt is
/// recorded, so the next request's count includes it.
pub async fn reserve(pool: &PgPool, budgets: &[Budget<'_>]) -> sqlx::Result<Outcome> {
    let mut tx = pool.begin().await?;
    let mut keys: Vec<i64> = budgets.iter().map(|b| lock_key(b.bucket, b.key)).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut *tx).await?;
    }
    for budget in budgets {
        let window_secs = budget.window.as_secs_f64();
        let (count, wait): (i64, Option<f64>) = sqlx::query_as(
            r#"
            SELECT count(*),
                   EXTRACT(EPOCH FROM (min(at) + make_interval(secs => $3) - now()))::float8
            FROM auth_throttle
            WHERE bucket = $1 AND key = $2 AND at > now() - make_interval(secs => $3)
            "#,
        )
        .bind(budget.bucket)
        .bind(budget.key)
        .bind(window_secs)
        .fetch_one(&mut *tx)
        .await?;
        if count >= i64::from(budget.max) {
            tx.rollback().await?;
            let wait = wait.unwrap_or(window_secs).ceil().clamp(1.0, window_secs.max(1.0)) as u64;
            return Ok(Outcome::Refused { bucket: budget.bucket, retry_after_secs: wait });
        }
    }
    let mut reservation = Reservation::default();
    for budget in budgets {
        let id: i64 = sqlx::query_scalar(
            r#"
            WITH expired AS (
                DELETE FROM auth_throttle
                WHERE bucket = $1 AND key = $2 AND at <= now() - make_interval(secs => $3)
            )
            INSERT INTO auth_throttle (bucket, key) VALUES ($1, $2) RETURNING attempt_id
            "#,
        )
        .bind(budget.bucket)
        .bind(budget.key)
        .bind(budget.window.as_secs_f64())
        .fetch_one(&mut *tx)
        .await?;
        reservation.attempts.push((budget.bucket, id));
    }
    tx.commit().await?;
    Ok(Outcome::Granted(reservation))
}

impl Reservation {
    /// Hands back the attempt recorded in `bucket` (it succeeded, and the bucket
    /// counts failures only).
    pub async fn refund(&self, pool: &PgPool, bucket: &str) -> sqlx::Result<()> {
        let ids: Vec<i64> = self.attempts.iter().filter(|(b, _)| *b == bucket).map(|(_, id)| *id).collect();
        if !ids.is_empty() {
            sqlx::query("DELETE FROM auth_throttle WHERE attempt_id = ANY($1)").bind(&ids).execute(pool).await?;
        }
        Ok(())
    }
}

/// Forgets every attempt of `key` in `bucket` (a successful login clears its account).
pub async fn clear(pool: &PgPool, bucket: &str, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM auth_throttle WHERE bucket = $1 AND key = $2")
        .bind(bucket)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes attempts older than any window; returns how many went.
pub async fn prune(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM auth_throttle WHERE at < now() - make_interval(secs => $1)")
        .bind(MAX_WINDOW.as_secs_f64())
        .execute(pool)
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_separate_buckets_and_keys() {
        assert_ne!(lock_key(LOGIN_ACCOUNT, "a"), lock_key(LOGIN_ADDRESS, "a"));
        assert_ne!(lock_key("ab", "c"), lock_key("a", "bc"), "the separator keeps bucket and key apart");
        assert_eq!(lock_key(LOGIN_ACCOUNT, "a"), lock_key(LOGIN_ACCOUNT, "a"));
    }
}
