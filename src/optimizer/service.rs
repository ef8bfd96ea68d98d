//! Scheduler-tuning use cases: start an optimization (refused below the minimum
//! history, one open job per learner), read a job, read the scheduler, and apply a
//! job's parameters (or the defaults), rescheduling every card under the learner lock.

use fsrs::{FSRS, FSRSItem, FSRSReview};
use time::Duration;
use uuid::Uuid;

use super::fit::{self, MIN_CARDS, MIN_ITEMS};
use super::model::*;
use super::store::{self, JobRow};
use crate::error::ApiError;
use crate::state::AppState;

fn quality(log_loss: Option<f32>, rmse: Option<f32>) -> Option<FitQuality> {
    let round = |v: f32| (f64::from(v) * 10_000.0).round() / 10_000.0;
    Some(FitQuality { log_loss: round(log_loss?), rmse: round(rmse?) })
}

fn rounded(parameters: &[f32]) -> Vec<f64> {
    parameters.iter().map(|p| (f64::from(*p) * 10_000.0).round() / 10_000.0).collect()
}

pub fn job_view(row: &JobRow) -> OptimizerJob {
    OptimizerJob {
        id: row.job_id,
        status: row.status,
        url: format!("/api/v1/me/scheduler/jobs/{}", row.job_id),
        created_at: row.created_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
        attempts: row.attempts,
        items: row.items,
        before: quality(row.log_loss_before, row.rmse_before),
        after: quality(row.log_loss_after, row.rmse_after),
        parameters: row.parameters_after.as_deref().map(rounded),
        error: row.error.clone(),
    }
}

fn no_job(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no optimization job {id}"))
}

/// Queues an optimization of the learner's parameters. Refused (422, naming the
/// numbers) when the review log holds fewer than [`MIN_ITEMS`] reviews with an earlier
/// review of the same card, or those cover fewer than [`MIN_CARDS`] cards; 409 (with
/// the open job's URL) while one is queued or running.
pub async fn start(state: &AppState, user_id: Uuid) -> Result<OptimizerJob, ApiError> {
    let log = store::review_log(&state.db, user_id).await?;
    let items = fit::items(&log).len();
    let cards = fit::cards_with_history(&log);
    if items < MIN_ITEMS || cards < MIN_CARDS {
        return Err(ApiError::invalid(
            "history",
            format!(
                "your log holds {items} reviews that follow an earlier review of the same card, over {cards} \
                 cards; fitting needs at least {MIN_ITEMS} such reviews over {MIN_CARDS} cards: keep reviewing and \
                 try again"
            ),
        ));
    }
    match store::queue(&state.db, user_id).await? {
        Some(id) => {
            let row = store::job(&state.db, user_id, id).await?.ok_or_else(|| no_job(id))?;
            Ok(job_view(&row))
        }
        None => {
            let open = store::open_job(&state.db, user_id).await?;
            let what = open.map_or_else(
                || "an optimization is already under way".to_owned(),
                |o| {
                    format!(
                        "an optimization is already {}: /api/v1/me/scheduler/jobs/{}",
                        status_word(o.status),
                        o.job_id
                    )
                },
            );
            Err(ApiError::Conflict(what))
        }
    }
}

fn status_word(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => "queued",
        JobStatus::Running => "running",
        JobStatus::Done => "done",
        JobStatus::Failed => "failed",
    }
}

pub async fn job(state: &AppState, user_id: Uuid, id: Uuid) -> Result<OptimizerJob, ApiError> {
    let row = store::job(&state.db, user_id, id).await?.ok_or_else(|| no_job(id))?;
    Ok(job_view(&row))
}

pub async fn settings(state: &AppState, user_id: Uuid) -> Result<SchedulerSettings, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let latest = store::latest(&state.db, user_id).await?;
    Ok(view(account.fsrs_parameters.as_deref(), latest.as_ref()))
}

fn view(parameters: Option<&[f32]>, latest: Option<&JobRow>) -> SchedulerSettings {
    SchedulerSettings {
        source: if parameters.is_some() { ParameterSource::Fitted } else { ParameterSource::Default },
        parameters: rounded(parameters.unwrap_or(&fsrs::DEFAULT_PARAMETERS)),
        latest_job: latest.map(job_view),
    }
}

/// Applies a finished job's parameters (or the defaults) and reschedules every card
/// the learner has reviewed: its memory is replayed from its review log with the new
/// parameters and its next due time set from the new stability at the learner's
/// desired retention. Under the learner lock the reviews take, so no review lands
/// between the switch and the rescheduling.
pub async fn apply(state: &AppState, user_id: Uuid, body: &ApplyScheduler) -> Result<SchedulerSettings, ApiError> {
    let parameters: Option<Vec<f32>> = match (body.job_id, body.source) {
        (Some(id), None) => {
            let row = store::job(&state.db, user_id, id).await?.ok_or_else(|| no_job(id))?;
            match (row.status, row.parameters_after) {
                (JobStatus::Done, Some(p)) => Some(p),
                (status, _) => {
                    return Err(ApiError::Conflict(format!("job {id} is {}, not done", status_word(status))));
                }
            }
        }
        (None, Some(ParameterSource::Default)) => None,
        (None, Some(ParameterSource::Fitted)) => {
            return Err(ApiError::invalid("source", "fitted parameters are applied by `job_id`"));
        }
        _ => return Err(ApiError::invalid("job_id", "give exactly one of `job_id` and `source`")),
    };
    let fsrs = FSRS::new(parameters.as_deref().unwrap_or_default()).map_err(|e| ApiError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    crate::review::store::lock_learner(&mut tx, user_id).await?;
    let account = crate::auth::store::by_id(&mut *tx, user_id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    store::set_parameters(&mut tx, user_id, parameters.as_deref()).await?;
    let log = store::review_log(&mut *tx, user_id).await?;
    for (card, last) in store::card_states(&mut tx, user_id).await? {
        let mut reviews = Vec::new();
        let mut previous: Option<time::OffsetDateTime> = None;
        for r in log.iter().filter(|r| r.card == card) {
            let gap = previous.map_or(0, |p| (r.at.date() - p.date()).whole_days().max(0));
            let rating = match r.rating {
                crate::review::model::Rating::Again => 1,
                crate::review::model::Rating::Hard => 2,
                crate::review::model::Rating::Good => 3,
                crate::review::model::Rating::Easy => 4,
            };
            reviews.push(FSRSReview { rating, delta_t: u32::try_from(gap).unwrap_or(u32::MAX) });
            previous = Some(r.at);
        }
        if reviews.is_empty() {
            continue;
        }
        // A history the model cannot describe (see `fit::usable`) keeps its schedule.
        let Ok(memory) = fsrs.memory_state(FSRSItem { reviews }, None) else { continue };
        if !(memory.stability.is_finite() && memory.stability > 0.0) {
            continue;
        }
        let days = f64::from(fsrs.next_interval(Some(memory.stability), account.desired_retention, 3));
        let days = if days.is_finite() { days.round().clamp(1.0, 36_500.0) } else { 1.0 };
        let due = last.checked_add(Duration::days(days as i64)).unwrap_or(last);
        store::reschedule_card(&mut tx, user_id, card, memory.stability, memory.difficulty, due).await?;
    }
    tx.commit().await?;
    let latest = store::latest(&state.db, user_id).await?;
    Ok(view(parameters.as_deref(), latest.as_ref()))
}
