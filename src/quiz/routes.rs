//! Quiz handlers: create an attempt, submit it, read history.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::service::{self, Submitted};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, NotFound, Unprocessable};
use crate::pagination;
use crate::state::AppState;
use crate::web::private_ok;

/// Start a quiz.
///
/// Draws `size` items from the scope, biased toward items the learner got wrong last
/// time and items never seen, over ones already answered correctly. Options are
/// shuffled for this attempt. The attempt is a snapshot: later content edits do not
/// change it. The response holds no correct answers or explanations. `exam` mode sets
/// a deadline (`time_limit_secs`, default 60 s per item). 422 when the scope mixes
/// `topics` with `track`/`stage`, names a stage without its track, names content that
/// does not exist, or holds no quiz items, and for `time_limit_secs` in practice mode.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "create_quiz",
    security(("bearer_auth" = [])),
    request_body = CreateQuiz,
    responses(
        (status = 201, description = "The attempt, without answers", body = QuizAttempt),
    )
)]
#[post("/quizzes")]
pub async fn create_quiz(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateQuiz>,
) -> Result<HttpResponse, ApiError> {
    let attempt = service::create(&state, &user, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/me/quizzes/{}", attempt.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(attempt))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AttemptPath {
    /// Attempt id.
    id: Uuid,
}

/// Submit answers and get the graded result.
///
/// Grades every item on the server: per item right or wrong (multiple choice is
/// all-or-nothing: a partial selection scores nothing), the correct options and the
/// explanation; the score and a per-topic breakdown. Submitting the same attempt again
/// returns the same result and never counts twice. An exam submitted after its
/// deadline is graded with every item marked late, and late items do not score.
/// Another learner's attempt is a 404.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "submit_quiz",
    security(("bearer_auth" = [])),
    params(AttemptPath),
    request_body = Submission,
    responses(
        (status = 200, description = "The graded attempt", body = QuizResult),
        (status = 404, response = inline(NotFound)),
    )
)]
#[post("/quizzes/{id}/submission")]
pub async fn submit_quiz(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<AttemptPath>,
    body: web::Json<Submission>,
) -> Result<HttpResponse, ApiError> {
    Ok(match service::submit(&state, user.id, path.id, &body).await? {
        Submitted::Earlier(result) => private_ok().json(result),
        Submitted::Now(result) => private_ok().json(result),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page. Opaque: pass it back unchanged; a value
    /// the server did not issue is a 400 (the list never silently restarts).
    cursor: Option<String>,
}

/// The learner's quiz history.
///
/// Attempts newest first, open and submitted.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "list_quizzes",
    security(("bearer_auth" = [])),
    params(HistoryQuery),
    responses(
        (status = 200, description = "A page of attempts", body = QuizPage),
        (status = 400, response = inline(BadRequest)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/quizzes")]
pub async fn list_quizzes(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let after: Option<(OffsetDateTime, Uuid)> = pagination::after::<(i128, Uuid)>(query.cursor.as_deref())?
        .map(|(nanos, id)| OffsetDateTime::from_unix_timestamp_nanos(nanos).map(|t| (t, id)))
        .transpose()
        .map_err(|_| ApiError::BadRequest("cursor is not valid; use the next_cursor of a previous page".into()))?;
    let page = service::history(&state, user.id, after, pagination::limit(query.limit)?).await?;
    Ok(private_ok().json(page))
}

/// Get one attempt.
///
/// While open: its items, without answers. Once submitted: also the graded result.
/// Another learner's attempt is a 404.
#[utoipa::path(
    tag = "quizzes",
    operation_id = "get_quiz",
    security(("bearer_auth" = [])),
    params(AttemptPath),
    responses(
        (status = 200, description = "The attempt", body = QuizAttempt),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/quizzes/{id}")]
pub async fn get_quiz(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<AttemptPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::attempt(&state, user.id, path.id).await?))
}
