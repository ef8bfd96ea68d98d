//! Content as files and bundles: the seed format, its validation, and the idempotent
//! upsert that the `seed` command (and later the admin import) share.

pub mod bundle;
pub mod export;
pub mod files;
pub mod problems;
pub mod report;
pub mod upsert;
pub mod validate;

use std::path::Path;

use sqlx::PgPool;

pub use bundle::Bundle;
pub use problems::{InvalidContent, Problem, Problems};
pub use report::SeedReport;

/// Serialises concurrent seeds/imports (several instances starting at once).
pub const SEED_LOCK: i64 = 0x5354_5544_5953_4545; // "STUDYSEE"

/// Reads and validates a seed directory; every problem is returned at once.
pub fn load_dir(dir: &Path) -> Result<Bundle, InvalidContent> {
    let mut problems = Problems::default();
    let bundle = files::read_dir(dir, &mut problems);
    validate::validate(&bundle, &mut problems);
    if problems.is_empty() { Ok(bundle) } else { Err(InvalidContent(problems.0)) }
}

/// Validates an import document; it may refer to topics already in the database.
pub async fn check_import(pool: &PgPool, bundle: &Bundle) -> Result<Result<(), InvalidContent>, sqlx::Error> {
    let known: std::collections::HashSet<String> =
        sqlx::query_scalar!("SELECT slug FROM topic WHERE retired_at IS NULL")
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    let mut problems = Problems::default();
    validate::validate_with(bundle, &known, &mut problems);
    Ok(if problems.is_empty() { Ok(()) } else { Err(InvalidContent(problems.0)) })
}

/// Applies an import (only what the bundle names; see [`upsert::Scope::Bundle`]) in
/// one transaction, rolled back for a dry run. `before_commit` runs inside the
/// transaction (the admin door records its audit entry there).
pub async fn import(
    pool: &PgPool,
    bundle: &Bundle,
    dry_run: bool,
    before_commit: impl AsyncFnOnce(&mut sqlx::PgConnection, &SeedReport) -> sqlx::Result<()>,
) -> sqlx::Result<SeedReport> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", SEED_LOCK).execute(&mut *tx).await?;
    let report = upsert::apply(&mut tx, bundle, upsert::Scope::Bundle).await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        before_commit(&mut tx, &report).await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// Applies a validated bundle in one transaction; with `dry_run` the transaction is
/// rolled back, so the counts are exactly what a real run would do.
pub async fn apply(pool: &PgPool, bundle: &Bundle, dry_run: bool) -> sqlx::Result<SeedReport> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", SEED_LOCK).execute(&mut *tx).await?;
    let report = upsert::apply(&mut tx, bundle, upsert::Scope::Catalogue).await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(report)
}

/// Seeds from `dir` when the catalogue is empty (first start); returns what it did.
pub async fn seed_if_empty(pool: &PgPool, dir: &Path) -> anyhow::Result<Option<SeedReport>> {
    let has_content: bool =
        sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM track) AS "seeded!""#).fetch_one(pool).await?;
    if has_content {
        return Ok(None);
    }
    let bundle = load_dir(dir)?;
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", SEED_LOCK).execute(&mut *tx).await?;
    // Another instance may have seeded while we waited for the lock.
    let seeded: bool =
        sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM track) AS "seeded!""#).fetch_one(&mut *tx).await?;
    if seeded {
        return Ok(None);
    }
    let report = upsert::apply(&mut tx, &bundle, upsert::Scope::Catalogue).await?;
    tx.commit().await?;
    Ok(Some(report))
}
