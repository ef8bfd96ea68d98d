//! Where public content reads go: a streaming replica when one is configured and fit
//! to serve, the primary otherwise.
//!
//! A replica is used only while (a) a health probe reached it within the last probe
//! interval and (b) it has replayed the primary's WAL at least up to the position the
//! primary had when the last content change was announced. (b) is what keeps the
//! content cache correct: without it a lagging replica could hand the cache the old
//! text right after an invalidation, and the cache would keep it. A read that fails on
//! the replica for a connection reason is retried once on the primary.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;

/// How often the replica's health and replay position are probed.
const PROBE_EVERY: Duration = Duration::from_millis(250);

/// The pools content reads may use.
pub struct ContentReads {
    primary: PgPool,
    replica: Option<Replica>,
    /// Reads answered by the replica and by the primary, for `/metrics`.
    pub replica_reads: AtomicU64,
    pub primary_reads: AtomicU64,
}

struct Replica {
    pool: PgPool,
    healthy: AtomicBool,
    /// WAL position (as a number) the replica has replayed, from the last probe.
    replayed: AtomicU64,
    /// WAL position it must have replayed before it may serve content again.
    required: AtomicU64,
}

impl ContentReads {
    pub fn new(primary: PgPool, replica: Option<PgPool>) -> Self {
        let replica = replica.map(|pool| Replica {
            pool,
            healthy: AtomicBool::new(false),
            replayed: AtomicU64::new(0),
            required: AtomicU64::new(u64::MAX),
        });
        ContentReads { primary, replica, replica_reads: AtomicU64::new(0), primary_reads: AtomicU64::new(0) }
    }

    /// Whether a replica is configured and currently serving reads.
    pub fn replica_in_use(&self) -> bool {
        self.replica.as_ref().is_some_and(Replica::usable)
    }

    /// Runs `read` on the replica when it is fit, else on the primary; the replica
    /// being unavailable marks it unhealthy and retries on the primary.
    ///
    /// `read` gets a handle of the pool (a cheap clone) rather than a reference, so the
    /// future it returns can be `Send` for background tasks too (a closure over
    /// `&PgPool` is higher-ranked, which the compiler cannot prove `Send`).
    pub async fn run<T, F, Fut>(&self, read: F) -> sqlx::Result<T>
    where
        F: Fn(PgPool) -> Fut,
        Fut: Future<Output = sqlx::Result<T>>,
    {
        match &self.replica {
            Some(replica) if replica.usable() => match read(replica.pool.clone()).await {
                Err(err) if crate::error::is_unavailable(&err) => {
                    tracing::warn!(error = %err, "read replica failed; reading from the primary");
                    replica.healthy.store(false, Ordering::Release);
                    self.primary_reads.fetch_add(1, Ordering::Relaxed);
                    read(self.primary.clone()).await
                }
                other => {
                    self.replica_reads.fetch_add(1, Ordering::Relaxed);
                    other
                }
            },
            _ => {
                self.primary_reads.fetch_add(1, Ordering::Relaxed);
                read(self.primary.clone()).await
            }
        }
    }

    /// Records the primary's current WAL position as the one the replica must reach.
    /// Called by the change listener on its own connection before it invalidates the
    /// cache; when the position cannot be read, the replica is kept out of use until
    /// the next successful call.
    pub async fn require_current(&self, listener: &mut PgListener) {
        let Some(replica) = &self.replica else { return };
        let position: sqlx::Result<String> =
            sqlx::query_scalar!(r#"SELECT pg_current_wal_lsn()::text AS "lsn!""#).fetch_one(&mut *listener).await;
        let required = position.ok().as_deref().and_then(parse_lsn).unwrap_or(u64::MAX);
        replica.required.store(required, Ordering::Release);
    }

    /// Raises the position the replica must reach to the primary's current one, read on
    /// the primary pool. Called after this instance's own content write and before it
    /// drops its cache: the change notification that does the same arrives a few
    /// milliseconds later, and a read in between must not be answered by a replica that
    /// has not replayed the write yet (the admin would read their own edit stale, and
    /// the cache would keep it until the notification). Only ever raises the position,
    /// so it cannot undo a later one the listener recorded meanwhile.
    pub async fn require_primary_position(&self) {
        let Some(replica) = &self.replica else { return };
        let position: sqlx::Result<String> =
            sqlx::query_scalar!(r#"SELECT pg_current_wal_lsn()::text AS "lsn!""#).fetch_one(&self.primary).await;
        let required = position.ok().as_deref().and_then(parse_lsn).unwrap_or(u64::MAX);
        replica.required.fetch_max(required, Ordering::AcqRel);
    }

    /// Probes the replica forever (until the task is aborted); does nothing without one.
    pub async fn probe(self: Arc<Self>) {
        let Some(replica) = &self.replica else { return };
        loop {
            match replayed_position(&replica.pool).await {
                Ok(position) => {
                    replica.replayed.store(position, Ordering::Release);
                    replica.healthy.store(true, Ordering::Release);
                }
                Err(err) => {
                    if replica.healthy.swap(false, Ordering::AcqRel) {
                        tracing::warn!(error = %err, "read replica unreachable; reading from the primary");
                    }
                }
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
    }
}

impl Replica {
    fn usable(&self) -> bool {
        self.healthy.load(Ordering::Acquire)
            && self.replayed.load(Ordering::Acquire) >= self.required.load(Ordering::Acquire)
    }
}

/// The replica's replayed WAL position. A server that is not in recovery (a primary
/// named as the "replica", as in tests) has no replay position; its current one counts.
async fn replayed_position(pool: &PgPool) -> anyhow::Result<u64> {
    let text: String =
        sqlx::query_scalar!(r#"SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn())::text AS "lsn!""#)
            .fetch_one(pool)
            .await?;
    parse_lsn(&text).ok_or_else(|| anyhow::anyhow!("unreadable WAL position {text:?}"))
}

/// `16/B374D848` → one number that orders like the position.
fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.trim().split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some((high << 32) | low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_positions_order_as_numbers() {
        assert_eq!(parse_lsn("0/0"), Some(0));
        assert_eq!(parse_lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert!(parse_lsn("1/0") > parse_lsn("0/FFFFFFFF"));
        assert_eq!(parse_lsn("garbage"), None);
        assert_eq!(parse_lsn("1/2/3"), None);
    }
}
