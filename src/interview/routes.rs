//! Mock-interview handlers: extract, call the service, answer.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, NotFound};
use crate::state::AppState;
use crate::web::{no_store, private_ok};

/// Start a mock interview.
///
/// Draws `size` questions (default 10) from the scope (a track, a stage of it, or
/// topics), optionally of some difficulties, weighted toward what the learner has not
/// proven cold: questions never answered cold, or answered below 60% of their rubric
/// last time, come up more often. Only questions with a rubric are drawn. The response
/// shows each question's prompt and nothing else: for each one, submit a cold answer
/// (or skip), then the model answer and the rubric are revealed, then grade the answer
/// against the rubric point by point.
///
/// The question bank itself stays public (`GET /questions/{id}` shows the answer): a
/// front end should not show it during a session. Sending the same `client_id` again
/// returns the session it made (200) instead of a second one (201); the same
/// `client_id` with another scope is a 409.
#[utoipa::path(
    tag = "interviews",
    operation_id = "create_interview",
    security(("bearer_auth" = [])),
    request_body = CreateInterview,
    responses(
        (status = 201, description = "The new session", body = Interview,
         headers(("Location" = String, description = "The session's URL"))),
        (status = 200, description = "The session this `client_id` made before", body = Interview),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/interviews")]
pub async fn create_interview(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<CreateInterview>,
) -> Result<HttpResponse, ApiError> {
    let (interview, created) = service::create(&state, &user, body.into_inner()).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(no_store(status)
        .insert_header((header::LOCATION, format!("/api/v1/me/interviews/{}", interview.id)))
        .json(interview))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InterviewPath {
    /// Session id.
    id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ItemPath {
    /// Session id.
    id: Uuid,
    /// The question's position in the session, from 0.
    #[param(minimum = 0)]
    position: i32,
}

/// Get a mock interview.
///
/// The session with every question: prompts always; a question's cold answer, model
/// answer and rubric once it was attempted; its grades and score once graded. Resume
/// an unfinished session from here. Another learner's session is a 404.
#[utoipa::path(
    tag = "interviews",
    operation_id = "get_interview",
    security(("bearer_auth" = [])),
    params(InterviewPath),
    responses(
        (status = 200, description = "The session", body = Interview),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/interviews/{id}")]
pub async fn get_interview(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<InterviewPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::get(&state, user.id, path.id).await?))
}

/// Answer a question cold (or skip it).
///
/// `{"answer": "..."}` (1 to 20,000 characters) or `{"skip": true}`. The answer is
/// stored as sent (trimmed) and the response reveals the model answer and the rubric.
/// One cold attempt per question: the same body again (a retry) gets the same answer;
/// a different one is a 409. After the session's deadline the answer is still taken,
/// marked `late`.
#[utoipa::path(
    tag = "interviews",
    operation_id = "answer_interview_question",
    security(("bearer_auth" = [])),
    params(ItemPath),
    request_body = ColdAttempt,
    responses(
        (status = 200, description = "The question with its model answer and rubric", body = InterviewItem),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[put("/interviews/{id}/items/{position}/answer")]
pub async fn answer_question(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
    body: web::Json<ColdAttempt>,
) -> Result<HttpResponse, ApiError> {
    let item = service::attempt(&state, user.id, path.id, path.position, body.into_inner()).await?;
    Ok(private_ok().json(item))
}

/// Grade a cold answer against the rubric.
///
/// One verdict per rubric point, in the rubric's order: `got_it`, `partly` or
/// `missed`; the question's score is the share of points hit (got it 1, partly ½).
/// Only an answered question can be graded (409 before its cold answer, or for a
/// skipped one), once: the same grades again get the same answer, different ones a
/// 409. The session completes when every question is graded or skipped.
#[utoipa::path(
    tag = "interviews",
    operation_id = "grade_interview_question",
    security(("bearer_auth" = [])),
    params(ItemPath),
    request_body = SelfGrade,
    responses(
        (status = 200, description = "The graded question", body = InterviewItem),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[put("/interviews/{id}/items/{position}/grades")]
pub async fn grade_question(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
    body: web::Json<SelfGrade>,
) -> Result<HttpResponse, ApiError> {
    let item = service::grade(&state, user.id, path.id, path.position, body.into_inner()).await?;
    Ok(private_ok().json(item))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct QuestionPath {
    /// Question id.
    id: Uuid,
}

/// My cold answers to a question.
///
/// Every cold attempt the caller made at the question in mock interviews, newest
/// first, with its grades and score, beside the question's current model answer and
/// rubric: how the answer grew.
#[utoipa::path(
    tag = "interviews",
    operation_id = "list_cold_answers",
    security(("bearer_auth" = [])),
    params(QuestionPath),
    responses(
        (status = 200, description = "The attempts beside the model answer", body = ColdAnswers),
        (status = 400, response = inline(BadRequest)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/questions/{id}/cold-answers")]
pub async fn list_cold_answers(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<QuestionPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::cold_answers(&state, user.id, path.id).await?))
}

/// Questions due for a cold answer.
///
/// Every self-graded cold answer (and every skip) schedules the question's next one
/// with FSRS, the scheduler the flashcards use, at the account's `desired_retention`:
/// the attempt counts as a review rated by its score (a skip or under 40% of the
/// rubric `again`, under 70% `hard`, under 100% `good`, every point `easy`). This
/// lists the questions due now, most overdue first (at most 100), beside the flashcards'
/// `GET /me/reviews/due`; a new interview's draw favours them too.
#[utoipa::path(
    tag = "interviews",
    operation_id = "list_due_questions",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "Questions due, most overdue first", body = DueQuestions),
    )
)]
#[get("/interviews/due")]
pub async fn list_due_questions(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::due(&state, user.id).await?))
}
