//! Periodic deletion of what the auth tables no longer need: refresh tokens past their
//! expiry and throttle attempts past every window. Without it both grow with every
//! login and every guess, forever.
//!
//! Every instance runs it; the deletes are idempotent, so several at once only repeat
//! work.

use std::time::Duration;

use sqlx::PgPool;

use super::{store, throttle};

/// Prunes now and then every `every`, until the task is aborted with the server.
pub async fn run(db: PgPool, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match prune_once(&db).await {
            Ok((tokens, attempts)) if tokens + attempts > 0 => {
                tracing::info!(tokens, attempts, "pruned expired refresh tokens and throttle attempts");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "pruning failed; will retry"),
        }
    }
}

/// One pass: (refresh tokens, throttle attempts) deleted. Expired mailed-link tokens,
/// unconfirmed sign-ups and jobs finished a week ago go too.
pub async fn prune_once(db: &PgPool) -> sqlx::Result<(u64, u64)> {
    let tokens = store::prune_refresh_tokens(db).await?;
    let attempts = throttle::prune(db).await?;
    store::prune_email_tokens(db).await?;
    super::pending::prune(db).await?;
    crate::jobs::store::prune_finished(db).await?;
    Ok((tokens, attempts))
}
