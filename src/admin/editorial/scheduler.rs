//! Publishes change sets when their `publish_at` comes (by the server's clock). Every
//! instance runs it; the content lock and the change set's row lock make each publish
//! happen exactly once, and a publish that cannot go ahead is recorded on the change
//! set (`failed`, with the reason) and in the audit log instead of being retried.

use std::sync::Arc;
use std::time::Duration;

use super::actor::Actor;
use super::changesets::{may_publish, publish_locked, record_failure};
use super::store;
use crate::admin::content::store as content;
use crate::error::ApiError;
use crate::state::AppState;

/// Runs until the task is aborted with the server.
pub async fn run(state: Arc<AppState>, interval: Duration) {
    loop {
        tokio::time::sleep(interval).await;
        if let Err(err) = publish_due(&state).await {
            tracing::warn!(error = %err, "scheduled publishing failed; will retry");
        }
    }
}

/// Publishes every change set due now; returns how many went live.
pub async fn publish_due(state: &AppState) -> Result<usize, ApiError> {
    let mut published = 0;
    loop {
        let now = state.clock.now();
        // A cheap look first, so idle instances do not queue on the content lock.
        let due: bool = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM content_changeset
                              WHERE publish_at IS NOT NULL AND publish_at <= $1 AND state <> 'published') AS "due!""#,
            now
        )
        .fetch_one(&state.db)
        .await?;
        if !due {
            return Ok(published);
        }
        let mut tx = state.db.begin().await?;
        content::lock_content(&mut tx).await?;
        let Some(id) = store::claim_due(&mut tx, now).await? else {
            return Ok(published);
        };
        let Some(row) = store::changeset(&mut tx, id).await? else {
            return Ok(published);
        };
        if let Err(reason) = may_publish(&row) {
            tracing::error!(changeset = %id, %reason, "a scheduled change set could not publish");
            record_failure(&mut tx, &row, &reason, &[], now).await?;
            tx.commit().await?;
            continue;
        }
        let mut attempt = sqlx::Connection::begin(&mut *tx).await?;
        match publish_locked(&mut attempt, Actor::Scheduler, &row).await? {
            Ok(()) => {
                attempt.commit().await?;
                tx.commit().await?;
                tracing::info!(changeset = %id, "scheduled change set published");
                published += 1;
            }
            Err(problems) => {
                attempt.rollback().await?;
                tracing::error!(changeset = %id, items = problems.len(), "a scheduled change set's drafts would not apply");
                record_failure(&mut tx, &row, "some drafts would not apply; nothing was published", &problems, now)
                    .await?;
                tx.commit().await?;
            }
        }
    }
}
