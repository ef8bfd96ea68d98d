//! Connecting to PostgreSQL: create the database if missing, run migrations, build the pool.

use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::config::{Settings, redact_url};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the database named in the settings when it does not exist yet.
pub async fn ensure_database(settings: &Settings) -> anyhow::Result<()> {
    let url = &settings.database_url;
    let exists = Postgres::database_exists(url)
        .await
        .with_context(|| format!("cannot reach PostgreSQL at {}", redact_url(url)))?;
    if !exists {
        tracing::info!(database = %redact_url(url), "creating database");
        Postgres::create_database(url).await.context("cannot create the database")?;
    }
    Ok(())
}

/// A pool whose timeouts turn a database outage into fast 503s instead of hung requests.
pub fn pool_options(settings: &Settings) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(settings.db_max_connections)
        .acquire_timeout(settings.db_acquire_timeout)
        // No ping before every checkout: it is a round trip per query on the hot path.
        // A connection that died (database restart) fails its next query instead; the
        // pool drops it, the request gets a 503, and the next checkout connects afresh.
        .test_before_acquire(false)
        .idle_timeout(Some(Duration::from_secs(600)))
}

/// Connection options carrying the server-side statement timeout.
pub fn connect_options(settings: &Settings) -> anyhow::Result<PgConnectOptions> {
    options_for(settings, &settings.database_url, "DATABASE_URL")
}

fn options_for(settings: &Settings, url: &str, name: &str) -> anyhow::Result<PgConnectOptions> {
    let options: PgConnectOptions = url.parse().with_context(|| format!("{name} is not a valid PostgreSQL URL"))?;
    let millis = settings.db_statement_timeout.as_millis();
    Ok(options.options([("statement_timeout", millis.to_string())]).application_name("studytrack"))
}

/// Creates the database if needed, migrates it and returns a pool.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<PgPool> {
    ensure_database(settings).await?;
    let pool = pool_options(settings)
        .connect_with(connect_options(settings)?)
        .await
        .with_context(|| format!("cannot connect to {}", redact_url(&settings.database_url)))?;
    MIGRATOR.run(&pool).await.context("migrations failed")?;
    Ok(pool)
}

/// The read replica's pool, when `DATABASE_READ_URL` is set. It connects lazily: an
/// unreachable replica must not stop the service from starting (reads fall back to
/// the primary), and it gives up on a connection quickly for the same reason.
pub fn replica_pool(settings: &Settings) -> anyhow::Result<Option<PgPool>> {
    let Some(url) = &settings.database_read_url else { return Ok(None) };
    let options = options_for(settings, url, "DATABASE_READ_URL")?.application_name("studytrack-replica");
    Ok(Some(
        pool_options(settings)
            .acquire_timeout(settings.db_acquire_timeout.min(Duration::from_secs(1)))
            .connect_lazy_with(options),
    ))
}

/// A one-connection pool on the same database as `pool`, for a session that holds its
/// connection for good (the content-change subscription) without taking one from
/// request handling.
pub fn dedicated_pool(pool: &PgPool) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy_with((*pool.connect_options()).clone().application_name("studytrack-listener"))
}
