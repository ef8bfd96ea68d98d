//! Subscribes to content-change notifications and keeps the cache honest.
//!
//! It is the instance's one `LISTEN` connection, so it also carries the outbox's
//! "job queued" notifications and passes them to the job worker (which would
//! otherwise need a connection of its own for them).
//!
//! The subscription holds one connection of the request pool for good (the pool is
//! sized for it: see `db::connect_and_migrate`); taking it from the pool, rather than
//! opening a private one, lets closing the pool end the subscription too. On every
//! notification the cache moves to a new generation (and the read replica, if any,
//! must catch up to the primary's current WAL position before it serves content
//! again). When the connection drops, notifications sent meanwhile are lost for good,
//! so the cache is bypassed until a new subscription is in place.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use sqlx::PgPool;
use sqlx::postgres::PgListener;

use super::ContentCache;
use crate::jobs::store::QUEUED_CHANNEL;
use crate::replica::ContentReads;

/// The channel the `content_notify` migration's trigger notifies.
pub const CHANNEL: &str = "studytrack_content";

/// Pause between attempts to resubscribe while the database is unreachable.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// Runs until the task is aborted. `jobs_queued` is notified for every queued job and
/// whenever the subscription is lost (jobs queued meanwhile went unannounced).
pub async fn run(pool: PgPool, cache: Arc<ContentCache>, reads: Arc<ContentReads>, jobs_queued: Arc<Notify>) {
    loop {
        match subscribe(&pool).await {
            Ok(mut listener) => {
                // Anything may have changed while we were not listening.
                reads.require_current(&mut listener).await;
                cache.set_synced(true);
                tracing::debug!("content cache subscribed to {CHANNEL}");
                loop {
                    match listener.try_recv().await {
                        Ok(Some(notification)) if notification.channel() == QUEUED_CHANNEL => {
                            jobs_queued.notify_one();
                        }
                        Ok(Some(_)) => {
                            reads.require_current(&mut listener).await;
                            cache.invalidate();
                        }
                        Ok(None) => break,
                        Err(err) => {
                            tracing::warn!(error = %err, "content change subscription failed");
                            break;
                        }
                    }
                }
                cache.set_synced(false);
                jobs_queued.notify_one();
                crate::db::note_connection_loss();
                tracing::warn!("content change subscription lost; serving content uncached until it is back");
            }
            Err(err) => tracing::debug!(error = %err, "cannot subscribe to content changes yet"),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

async fn subscribe(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Reconnecting silently would hide the gap in which notifications were lost; the
    // loop above resubscribes itself and treats the gap as "everything changed".
    listener.eager_reconnect(false);
    listener.listen_all([CHANNEL, QUEUED_CHANNEL]).await?;
    Ok(listener)
}
