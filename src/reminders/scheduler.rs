//! Finds learners whose reminder hour has come and queues their mail, once a local day.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use time::OffsetDateTime;

use super::{store, summary, unsubscribe};
use crate::error::ApiError;
use crate::mail::Mail;
use crate::state::AppState;

/// Learners looked at per pass; the rest wait for the next pass (a minute by default).
const BATCH: i64 = 500;

/// Runs a pass every `every` until the task is aborted with the server.
pub async fn run(state: Arc<AppState>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut passes: u64 = 0;
    loop {
        ticks.tick().await;
        match run_once(&state, state.clock.now()).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "study reminders queued"),
            Err(err) => tracing::warn!(error = %err, "the reminder pass failed; will retry"),
        }
        passes += 1;
        // About once a day at the default interval.
        if passes.is_multiple_of(1440)
            && let Err(err) = store::prune_sent(&state.db).await
        {
            tracing::warn!(error = %err, "cannot prune the reminder record");
        }
    }
}

/// One pass at `now`: queues the day's reminder for every learner whose hour has come,
/// who has something to do and has had none yet today. Returns how many were queued.
pub async fn run_once(state: &AppState, now: OffsetDateTime) -> Result<usize, ApiError> {
    let learners = store::due_learners(&state.db, now, BATCH).await?;
    let mut sent = 0;
    for learner in learners {
        let account =
            summary::Learner { user_id: learner.user_id, timezone: &learner.timezone, progress_version: None };
        let summary = summary::of(state, &account, now).await?;
        // Nothing to do yet: looked at again next pass (cards may fall due later today).
        if !summary.something_to_do {
            continue;
        }
        let key = state.settings.jwt_secret.expose_secret();
        let token = unsubscribe::token(key, learner.user_id)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the signing key cannot make an HMAC")))?;
        let settings = &state.settings;
        let context = serde_json::json!({
            "display_name": learner.display_name,
            "cards_due_today": summary.cards_due_today,
            "streak": summary.streak.current,
            "streak_at_risk": summary.streak.at_risk,
            "next_topics": summary.next_topics.iter().map(|n| serde_json::json!({
                "track": n.track.title, "topic": n.topic.title, "percent": n.percent,
            })).collect::<Vec<_>>(),
            "app_url": settings.app_url,
            "unsubscribe_link": format!("{}/unsubscribe?token={token}", settings.app_url),
        });
        let subject = match summary.cards_due_today {
            0 => "Keep your studytrack streak going today".to_owned(),
            1 => "1 flashcard is due today".to_owned(),
            n => format!("{n} flashcards are due today"),
        };
        let mail = Mail::render(&learner.email, &subject, "study_reminder", &context)
            .map_err(ApiError::Internal)?
            .with_list_unsubscribe(format!("{}/api/v1/reminders/unsubscribe?token={token}", settings.public_url));
        let mut tx = state.db.begin().await?;
        // The day is claimed and the mail queued together: another instance (or this
        // one after a restart) finds the day taken, and a failed queue frees it.
        if store::claim_day(&mut tx, learner.user_id, learner.local_date).await? {
            mail.queue(&mut tx).await?;
            tx.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}
