//! The optimization worker every instance runs: it claims one queued job at a time
//! (or one whose instance died mid-run, once its lease ends), fits on a blocking
//! thread bounded to one core, and records the outcome once.

use std::sync::Arc;

use time::Duration;

use super::fit::{self, MIN_CARDS, MIN_ITEMS};
use super::store::{self, Finished};
use crate::error::ApiError;
use crate::state::AppState;

/// How long a claimed job belongs to its worker; a fit takes seconds, so a job still
/// running after this was left behind by an instance that stopped.
pub const LEASE: Duration = Duration::minutes(10);

/// Runs jobs as they come, polling every `idle` when there are none.
pub async fn run(state: Arc<AppState>, idle: std::time::Duration) {
    loop {
        match run_once(&state).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(error = %error, "optimizer worker"),
        }
        tokio::time::sleep(idle).await;
    }
}

/// Runs one job if there is one; whether there was.
pub async fn run_once(state: &AppState) -> Result<bool, ApiError> {
    let Some((job_id, user_id)) = store::claim(&state.db, state.clock.now(), LEASE).await? else {
        return Ok(false);
    };
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let current = account.fsrs_parameters.unwrap_or_default();
    let log = store::review_log(&state.db, user_id).await?;
    let items = fit::items(&log);
    if items.len() < MIN_ITEMS || fit::cards_with_history(&log) < MIN_CARDS {
        store::fail(&state.db, job_id, "not enough review history to fit").await?;
        return Ok(true);
    }
    let before = current.clone();
    match tokio::task::spawn_blocking(move || fit::fit(items, &before)).await {
        // The optimizer hands back its starting point when the history, once its outliers
        // are dropped, is too thin to train on: say so rather than offer "new" defaults.
        Ok(Ok(fit)) if fit.parameters == fsrs::DEFAULT_PARAMETERS => {
            let why =
                "the history was too uniform to fit (the optimizer kept the defaults); keep reviewing and try again";
            store::fail(&state.db, job_id, why).await?;
        }
        Ok(Ok(fit)) => {
            let before = if current.is_empty() { fsrs::DEFAULT_PARAMETERS.to_vec() } else { current };
            let done = Finished {
                items: i32::try_from(fit.items).unwrap_or(i32::MAX),
                before: &before,
                after: &fit.parameters,
                log_loss: (fit.before.log_loss, fit.after.log_loss),
                rmse: (fit.before.rmse_bins, fit.after.rmse_bins),
            };
            store::finish(&state.db, job_id, done).await?;
        }
        Ok(Err(error)) => store::fail(&state.db, job_id, &format!("the fit failed: {error:#}")).await?,
        Err(_) => store::fail(&state.db, job_id, "the fit stopped unexpectedly").await?,
    }
    Ok(true)
}
