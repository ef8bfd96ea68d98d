//! Scheduler-tuning handlers: extract, call the service, answer.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, NotFound, Unprocessable};
use crate::state::AppState;
use crate::web::{no_store, private_ok};

/// Start fitting the scheduler to the learner.
///
/// Queues a background job that fits the learner's FSRS parameters to their own
/// flashcard review log with the `fsrs` crate's optimizer, and measures how well the
/// parameters in use and the fitted ones describe that history (log loss and RMSE;
/// lower is better). Poll the job's URL (`Location`); once `done`, apply the result
/// with `PUT /me/scheduler` (nothing changes until then). One job at a time per
/// learner: 409 (naming the open job) while one is queued or running. 422 when the log
/// holds fewer than 150 reviews that follow an earlier review of the same card, or
/// those cover fewer than 40 cards; a job whose history proves too uniform to fit ends
/// `failed` with that reason. A job
/// uses at most one core; one left behind by an instance that stopped is taken over by
/// another instance after a 10-minute lease.
#[utoipa::path(
    tag = "plan",
    operation_id = "start_scheduler_optimization",
    security(("bearer_auth" = [])),
    responses(
        (status = 202, description = "Queued", body = OptimizerJob,
         headers(("Location" = String, description = "The job's URL"))),
        (status = 409, response = inline(Conflict)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[post("/scheduler/optimize")]
pub async fn start_optimization(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let job = service::start(&state, user.id).await?;
    Ok(no_store(StatusCode::ACCEPTED).insert_header((header::LOCATION, job.url.clone())).json(job))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct JobPath {
    /// Job id.
    id: Uuid,
}

/// An optimization job.
///
/// Poll it until `done` (then apply it with `PUT /me/scheduler`) or `failed` (the
/// `error` says why). Only its learner sees it; anyone else gets 404.
#[utoipa::path(
    tag = "plan",
    operation_id = "get_scheduler_job",
    security(("bearer_auth" = [])),
    params(JobPath),
    responses(
        (status = 200, description = "The job", body = OptimizerJob),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/scheduler/jobs/{id}")]
pub async fn get_job(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<JobPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(no_store(StatusCode::OK).json(service::job(&state, user.id, path.id).await?))
}

/// The learner's scheduler.
///
/// Which FSRS parameters schedule the learner's flashcards and questions (`default`,
/// or `fitted` to their own history), and the newest optimization job.
#[utoipa::path(
    tag = "plan",
    operation_id = "get_scheduler",
    security(("bearer_auth" = [])),
    responses((status = 200, description = "The scheduler", body = SchedulerSettings))
)]
#[get("/scheduler")]
pub async fn get_scheduler(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::settings(&state, user.id).await?))
}

/// Apply fitted parameters, or go back to the defaults.
///
/// `{"job_id": ...}` applies a `done` job's parameters (409 for a job not done);
/// `{"source": "default"}` goes back to FSRS-6's defaults. Every reviewed card is then
/// rescheduled: its memory is replayed from its review log with the new parameters and
/// its next due time follows from the new stability at the learner's desired
/// retention. Questions on a schedule switch at their next cold answer.
#[utoipa::path(
    tag = "plan",
    operation_id = "apply_scheduler",
    security(("bearer_auth" = [])),
    request_body = ApplyScheduler,
    responses(
        (status = 200, description = "The scheduler now", body = SchedulerSettings),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[put("/scheduler")]
pub async fn apply_scheduler(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ApplyScheduler>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::apply(&state, user.id, &body).await?))
}
