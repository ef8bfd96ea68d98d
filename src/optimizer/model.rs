//! Request and response bodies of the scheduler-tuning operations.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// Where an optimization job is: `queued`, `running`, `done` (parameters fitted; apply
/// them with `PUT /me/scheduler`) or `failed` (see `error`; start another).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

/// How well a set of parameters describes the learner's review history: the log loss
/// of the predicted recall against what happened, and the RMSE between predicted and
/// actual recall rates over bins. Lower is better for both.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"log_loss": 0.3412, "rmse": 0.0521}))]
pub struct FitQuality {
    pub log_loss: f64,
    pub rmse: f64,
}

/// An optimization job.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "2c1d0f0e-5a3b-4c2d-9e8f-7a6b5c4d3e2f", "status": "done", "url": "/api/v1/me/scheduler/jobs/2c1d0f0e-5a3b-4c2d-9e8f-7a6b5c4d3e2f",
    "created_at": "2026-12-05T09:00:00Z", "started_at": "2026-12-05T09:00:01Z", "finished_at": "2026-12-05T09:00:03Z",
    "attempts": 1, "items": 2800, "before": {"log_loss": 0.3712, "rmse": 0.0811}, "after": {"log_loss": 0.3412, "rmse": 0.0521},
    "parameters": [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614,
                   0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542],
    "error": null
}))]
pub struct OptimizerJob {
    pub id: Uuid,
    pub status: JobStatus,
    /// Poll this URL for the status.
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Runs started (more than one when an instance stopped mid-run and another took
    /// the job over).
    pub attempts: i32,
    /// Training items (reviews with an earlier review of the same card) it fitted.
    #[schema(required)]
    pub items: Option<i32>,
    /// The fit of the parameters in use when the job ran; null until done.
    #[schema(required)]
    pub before: Option<FitQuality>,
    /// The fit of the new parameters; null until done.
    #[schema(required)]
    pub after: Option<FitQuality>,
    /// The fitted parameters (FSRS-6, 21 numbers); null until done.
    #[schema(required)]
    pub parameters: Option<Vec<f64>>,
    /// Why it failed; null otherwise.
    #[schema(required)]
    pub error: Option<String>,
}

/// Which parameters schedule the learner's reviews.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ParameterSource {
    /// FSRS-6's defaults, fitted to many learners.
    Default,
    /// Fitted to this learner's own review log.
    Fitted,
}

/// The learner's scheduler.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"source": "default", "parameters": [], "latest_job": null}))]
pub struct SchedulerSettings {
    pub source: ParameterSource,
    /// The parameters in use (FSRS-6's 21 numbers).
    pub parameters: Vec<f64>,
    /// The newest optimization job, if any.
    #[schema(required)]
    pub latest_job: Option<OptimizerJob>,
}

/// Apply a finished job's parameters (`job_id`), or go back to the defaults
/// (`"source": "default"`). Exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"job_id": "2c1d0f0e-5a3b-4c2d-9e8f-7a6b5c4d3e2f"}))]
pub struct ApplyScheduler {
    pub job_id: Option<Uuid>,
    pub source: Option<ParameterSource>,
}
