//! Goal, agenda and forecast handlers: extract, call the service, answer.

use actix_web::{HttpResponse, delete, get, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::catalog::service::track_slug;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, NotFound, Unprocessable};
use crate::state::AppState;
use crate::web::private_ok;

/// Set the goal on a track.
///
/// One goal per track: the interview date, the minutes a study day has, which days of
/// the week are study days (in the account's time zone), and the electives in scope
/// besides the core path. A PUT replaces the goal. Every invalid field is named in one
/// 422: an unknown `track`, an `interview_date` in the past or more than two years
/// ahead, `minutes_per_day` outside 5-480, no `days` or a day twice, an elective the
/// track does not have.
#[utoipa::path(
    tag = "plan",
    operation_id = "set_goal",
    security(("bearer_auth" = [])),
    request_body = SetGoal,
    responses((status = 200, description = "The goal as stored", body = Goal))
)]
#[put("/goals")]
pub async fn set_goal(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<SetGoal>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::set_goal(&state, user.id, &body).await?))
}

/// The learner's goals.
///
/// Every goal, by track slug, with the calendar and study days left (in the account's
/// time zone).
#[utoipa::path(
    tag = "plan",
    operation_id = "list_goals",
    security(("bearer_auth" = [])),
    responses((status = 200, description = "Every goal, by track", body = Goals))
)]
#[get("/goals")]
pub async fn list_goals(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::goals(&state, user.id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GoalPath {
    /// Track slug.
    track: String,
}

/// Remove the goal on a track.
///
/// The agenda falls back to its defaults (30 minutes, every day) and the forecast to a
/// 404 until a goal is set again.
#[utoipa::path(
    tag = "plan",
    operation_id = "delete_goal",
    security(("bearer_auth" = [])),
    params(GoalPath),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, response = inline(NotFound)),
    )
)]
#[delete("/goals/{track}")]
pub async fn delete_goal(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<GoalPath>,
) -> Result<HttpResponse, ApiError> {
    service::delete_goal(&state, user.id, &track_slug(&path.track)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TodayQuery {
    /// Track slug; without it, the goal whose interview comes first (404 without any goal).
    track: Option<String>,
}

/// Today's agenda.
///
/// One response a home screen can render: what to do today on a track, in order,
/// within the day's minutes (the goal's `minutes_per_day`, 30 without a goal; a
/// quarter of it on a day that is not one of the goal's study days, when only what is
/// due is listed). First the flashcards and the questions due by the end of the local
/// day (they are forgotten next), then one quiz or mock interview on the weakest
/// verified area (the top soft spot), then the next new questions on the path and
/// their new flashcards under the daily new-card cap. Each entry has an estimated
/// duration (card review 12 s, new card 30 s, cold answer 4 min, new question 8 min,
/// quiz item 30 s) and a reason code; `left_over` counts what is due but did not fit.
/// The same state and clock always give the same agenda. Without `track`, the agenda
/// follows the goal whose interview comes first.
#[utoipa::path(
    tag = "plan",
    operation_id = "get_today",
    security(("bearer_auth" = [])),
    params(TodayQuery),
    responses(
        (status = 200, description = "Today's agenda", body = Today),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/today")]
pub async fn get_today(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<TodayQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(&*service::today(&state, &user, query.track.as_deref()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// Track slug (it needs a goal).
    track: String,
    /// The readiness to reach, 0.5 to 0.99 (default 0.8).
    #[param(minimum = 0.5, maximum = 0.99)]
    target: Option<f64>,
}

/// The readiness forecast.
///
/// What share of the questions in scope (the core path plus the goal's electives) the
/// learner will likely recall on the interview date if they follow the plan, per stage
/// and for the track, and what to change to reach `target`.
///
/// **The model.** Walk the questions in path order. A question not yet claimed costs 8
/// minutes to learn, a claimed but unproven one 3 minutes to check, a verified one
/// nothing; each learned question also costs about a minute of reviews a week until
/// the date. The plan takes questions in order while the study minutes up to the date
/// (study days × minutes per day) cover them. A question the plan covers is recalled
/// on the date at the learner's desired retention; one it does not: a verified
/// question at its predicted recall on the date (FSRS), a claimed one at the learner's
/// calibration rate (½ before any claim was tested), a new one not at all. Readiness
/// is the mean. Below the target, `suggestions` lists the fewest minutes per day (up to
/// 480), each elective whose dropping alone would do, and the earliest date (up to a
/// year later) that reach it; `status` is `on_track`, `behind` or `impossible` (none
/// would). 404 without a goal on the track.
#[utoipa::path(
    tag = "plan",
    operation_id = "get_forecast",
    security(("bearer_auth" = [])),
    params(ForecastQuery),
    responses(
        (status = 200, description = "The forecast", body = Forecast),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/forecast")]
pub async fn get_forecast(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ForecastQuery>,
) -> Result<HttpResponse, ApiError> {
    let track = track_slug(&query.track)?;
    Ok(private_ok().json(service::forecast(&state, user.id, &track, query.target).await?))
}
