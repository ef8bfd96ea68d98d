//! Connecting to PostgreSQL: create the database if missing, run migrations, build the pool.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::config::Settings;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the database named in the settings when it does not exist yet.
pub async fn ensure_database(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database_url.expose();
    let exists = Postgres::database_exists(url)
        .await
        .with_context(|| format!("cannot reach PostgreSQL at {}", settings.database_url))?;
    if !exists {
        tracing::info!(database = %settings.database_url, "creating database");
        Postgres::create_database(url).await.context("cannot create the database")?;
    }
    Ok(())
}

/// A pool whose timeouts turn a database outage into fast 503s instead of hung requests.
pub fn pool_options(settings: &Settings) -> PgPoolOptions {
    let release_check = settings.db_acquire_timeout;
    PgPoolOptions::new()
        .max_connections(settings.db_max_connections)
        .acquire_timeout(settings.db_acquire_timeout)
        // No ping before every checkout: it is a round trip per query on the hot path.
        // Only connections that sat idle across a lost database connection (a restart
        // the change subscription noticed) are pinged, once, and replaced if dead, so
        // a restart does not cost one failed request per pooled connection.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if idle_across_a_loss(meta.idle_for) {
                    return Ok(sqlx::Connection::ping(conn).await.is_ok());
                }
                Ok(true)
            })
        })
        // A connection whose query was cut off by the request deadline is pinged by
        // sqlx on release with no time limit; on a network that silently drops
        // packets that ping waits on TCP retransmission (minutes), holding a pool slot
        // the whole time, so after a long partition the pool would stay full of them
        // well after the network healed. While deadlines are expiring, released
        // connections must first answer within the acquire timeout or are closed
        // (the pool opens fresh ones). Otherwise no extra round trip is spent.
        .after_release(move |conn, _meta| {
            Box::pin(async move {
                if !deadline_expired_recently() {
                    return Ok(true);
                }
                Ok(matches!(tokio::time::timeout(release_check, sqlx::Connection::ping(conn)).await, Ok(Ok(()))))
            })
        })
        .idle_timeout(Some(Duration::from_secs(600)))
}

/// When a request deadline last cut a handler off, in nanoseconds since [`epoch`].
static LAST_DEADLINE: AtomicU64 = AtomicU64::new(0);

/// How long after an expired deadline released connections are checked.
const DEADLINE_WINDOW: Duration = Duration::from_secs(30);

/// Records that a request deadline expired: whatever connection the handler held was
/// dropped mid-query, possibly because the database stopped answering.
pub fn note_deadline_expired() {
    LAST_DEADLINE.store(since_epoch(Instant::now()).max(1), Ordering::Release);
}

fn deadline_expired_recently() -> bool {
    let last = LAST_DEADLINE.load(Ordering::Acquire);
    last != 0 && since_epoch(Instant::now()).saturating_sub(last) < DEADLINE_WINDOW.as_nanos() as u64
}

/// When this process last lost a database connection, in nanoseconds since [`epoch`]
/// (0: never).
static LAST_LOSS: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn since_epoch(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX)
}

/// Records that a database connection was lost (the server restarted or the network
/// dropped it): pooled connections idle since before now may be dead too.
pub fn note_connection_loss() {
    LAST_LOSS.store(since_epoch(Instant::now()).max(1), Ordering::Release);
}

fn idle_across_a_loss(idle_for: Duration) -> bool {
    let loss = LAST_LOSS.load(Ordering::Acquire);
    let idle_since = Instant::now().checked_sub(idle_for).map(since_epoch).unwrap_or(0);
    loss != 0 && idle_since <= loss
}

/// Connection options carrying the server-side statement timeout and TCP keepalives.
///
/// The keepalives are the server's: a connection this side abandoned while the network
/// dropped everything (its close never arrived) is found dead by the server after
/// about a minute (30 s idle, then 3 probes 10 s apart) and its backend, with any
/// locks it held, goes away instead of lingering for the kernel's two hours.
pub fn connect_options(settings: &Settings) -> anyhow::Result<PgConnectOptions> {
    options_for(settings, settings.database_url.expose(), "DATABASE_URL")
}

fn options_for(settings: &Settings, url: &str, name: &str) -> anyhow::Result<PgConnectOptions> {
    let options: PgConnectOptions = url.parse().with_context(|| format!("{name} is not a valid PostgreSQL URL"))?;
    let millis = settings.db_statement_timeout.as_millis();
    Ok(options
        .options([
            ("statement_timeout", millis.to_string()),
            ("tcp_keepalives_idle", "30".to_owned()),
            ("tcp_keepalives_interval", "10".to_owned()),
            ("tcp_keepalives_count", "3".to_owned()),
        ])
        .application_name("studytrack"))
}

/// One round trip to the database: what readiness means.
pub async fn ping(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query_scalar!("SELECT 1 AS ping").fetch_one(pool).await?;
    Ok(())
}

/// Creates the database if needed, migrates it and returns a pool.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<PgPool> {
    ensure_database(settings).await?;
    // One more than configured: the content-change subscription holds one for good
    // (the replica's pool has no subscription, so it gets exactly the setting).
    // Every connection is opened up front, by the pool's own task on this (the main)
    // runtime. A connection opened inside a request belongs to that HTTP worker's
    // runtime, and dies with it when the worker finishes draining at shutdown while
    // another worker still needs the pool (seen as 503s during the drain).
    let pool = pool_options(settings)
        .max_connections(settings.db_max_connections + 1)
        .min_connections(settings.db_max_connections + 1)
        .connect_with(connect_options(settings)?)
        .await
        .with_context(|| format!("cannot connect to {}", settings.database_url))?;
    MIGRATOR.run(&pool).await.context("migrations failed")?;
    Ok(pool)
}

/// The read replica's pool, when `DATABASE_READ_URL` is set. It connects lazily: an
/// unreachable replica must not stop the service from starting (reads fall back to
/// the primary), and it gives up on a connection quickly for the same reason.
pub fn replica_pool(settings: &Settings) -> anyhow::Result<Option<PgPool>> {
    let Some(url) = &settings.database_read_url else { return Ok(None) };
    let options = options_for(settings, url.expose(), "DATABASE_READ_URL")?.application_name("studytrack-replica");
    Ok(Some(
        pool_options(settings)
            .acquire_timeout(settings.db_acquire_timeout.min(Duration::from_secs(1)))
            .connect_lazy_with(options),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_connections_idle_across_a_loss_are_rechecked() {
        note_connection_loss();
        std::thread::sleep(Duration::from_millis(2));
        assert!(idle_across_a_loss(Duration::from_secs(3600)), "idle since before the loss");
        assert!(!idle_across_a_loss(Duration::ZERO), "returned to the pool after the loss");
    }
}
