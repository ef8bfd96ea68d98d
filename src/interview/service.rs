//! Mock-interview use cases. The server keeps the order a real interview has: a
//! question's model answer and rubric are revealed only by its cold attempt, the cold
//! attempt is made once, and only an answered question can be graded, once. Each step
//! is a conditional update, so racing or retried requests cannot break the order: the
//! loser of a race, or a retry, is answered from what stands.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::model::*;
use super::store::{self, HeaderRow, ItemRow};
use crate::error::ApiError;
use crate::progress::activity;
use crate::state::AppState;
use crate::wire::SlugRef;

/// Questions per session by default, and at most.
const DEFAULT_SIZE: i64 = 10;
const MAX_SIZE: i64 = 20;
/// Longest cold answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 20_000;
/// Seconds of grace after the deadline, for network latency.
const DEADLINE_GRACE_SECS: i64 = 5;

/// The question part of a stored row, as the session shows it (a macro because each
/// query's row is its own type).
macro_rules! question_of {
    ($row:ident) => {
        InterviewQuestion {
            id: $row.question_id,
            title: $row.title,
            prompt: $row.prompt,
            difficulty: $row.difficulty,
            topic: SlugRef { slug: $row.topic_slug, title: $row.topic_title },
        }
    };
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no interview {id}"))
}

fn no_item(id: Uuid, position: i32) -> ApiError {
    ApiError::NotFound(format!("interview {id} has no question at position {position}"))
}

/// Starts a session: validates the request, draws the questions and stores them. A
/// start retried with the same `client_id` returns the session it made.
pub async fn create(
    state: &AppState,
    user: &crate::auth::AuthUser,
    body: CreateInterview,
) -> Result<(Interview, bool), ApiError> {
    let user_id = user.id;
    let size = body.size.unwrap_or(DEFAULT_SIZE);
    if !(1..=MAX_SIZE).contains(&size) {
        return Err(ApiError::invalid("size", format!("must be between 1 and {MAX_SIZE}")));
    }
    if body.time_limit_secs.is_some_and(|secs| !(30..=1800).contains(&secs)) {
        return Err(ApiError::invalid("time_limit_secs", "must be between 30 and 1800"));
    }
    if body.difficulties.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::invalid("difficulties", "must name at least one difficulty, or be left out"));
    }
    let topics = crate::quiz::service::scope_topics(state, &body.scope).await?;
    let scope = serde_json::to_value(&body.scope).map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(client_id) = body.client_id
        && let Some(id) = earlier(state, user_id, client_id, &scope).await?
    {
        return Ok((get(state, user_id, id).await?, false));
    }
    let difficulties: Option<Vec<String>> =
        body.difficulties.as_ref().map(|ds| ds.iter().map(|d| d.as_str().to_owned()).collect());
    let probes = crate::progress::service::probe_questions(state, user, body.scope.track.as_deref(), &topics).await?;
    // Up to half the session (at least one question) re-checks claims.
    let max_probes = (size / 2).max(1);
    let questions =
        store::draw(&state.db, user_id, &topics, difficulties.as_deref(), size, &probes, max_probes).await?;
    if questions.is_empty() {
        return Err(ApiError::invalid("scope", "the scope holds no questions with a rubric (for these difficulties)"));
    }
    let now = state.clock.now();
    let count = i64::try_from(questions.len()).unwrap_or(MAX_SIZE);
    let deadline = body.time_limit_secs.map(|secs| now + Duration::seconds(secs * count));
    let new = store::NewInterview { user_id, client_id: body.client_id, scope: &scope, created_at: now, deadline };
    let mut tx = state.db.begin().await?;
    let inserted = store::insert(&mut tx, new, &questions, &probes).await?;
    tx.commit().await?;
    match (inserted, body.client_id) {
        (Some(id), _) => Ok((get(state, user_id, id).await?, true)),
        // Another request with the same client id made it meanwhile.
        (None, Some(client_id)) => {
            let id = earlier(state, user_id, client_id, &scope)
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("interview of client id {client_id} vanished")))?;
            Ok((get(state, user_id, id).await?, false))
        }
        (None, None) => Err(ApiError::Internal(anyhow::anyhow!("an interview without client id conflicted"))),
    }
}

/// The session an earlier start with `client_id` made; a 409 when that start asked for
/// another scope (a client id names one request, not a slot to reuse).
async fn earlier(
    state: &AppState,
    user_id: Uuid,
    client_id: Uuid,
    scope: &serde_json::Value,
) -> Result<Option<Uuid>, ApiError> {
    match store::by_client_id(&state.db, user_id, client_id).await? {
        Some((id, stored)) if stored == *scope => Ok(Some(id)),
        Some(_) => {
            Err(ApiError::Conflict(format!("client_id {client_id} already started a session for another scope")))
        }
        None => Ok(None),
    }
}

fn item_view(row: ItemRow) -> InterviewItem {
    let stage = match (&row.answered_at, row.skipped, &row.grades) {
        (None, _, _) => ItemStage::Unanswered,
        (Some(_), true, _) => ItemStage::Skipped,
        (Some(_), false, Some(_)) => ItemStage::Graded,
        (Some(_), false, None) => ItemStage::Answered,
    };
    let revealed = row.answered_at.is_some();
    let score = match stage {
        ItemStage::Graded => row.grades.as_deref().map(score),
        ItemStage::Skipped => Some(0.0),
        _ => None,
    };
    InterviewItem {
        position: row.position,
        question: question_of!(row),
        stage,
        cold_answer: row.answer,
        answered_at: row.answered_at,
        late: row.late,
        model_answer: revealed.then_some(row.model_answer),
        rubric: if revealed { row.rubric } else { None },
        grades: row.grades,
        probe: row.probe,
        probe_outcome: match score {
            Some(s) if row.probe => {
                Some(if s >= PASS_SCORE { ProbeOutcome::Verified } else { ProbeOutcome::Unverified })
            }
            _ => None,
        },
        score,
    }
}

fn view(header: HeaderRow, items: Vec<ItemRow>) -> Interview {
    Interview {
        id: header.interview_id,
        status: if header.completed_at.is_some() { InterviewStatus::Completed } else { InterviewStatus::Open },
        created_at: header.created_at,
        deadline: header.deadline,
        completed_at: header.completed_at,
        items: items.into_iter().map(item_view).collect(),
    }
}

/// The caller's session (404 for anyone else's).
pub async fn get(state: &AppState, user_id: Uuid, id: Uuid) -> Result<Interview, ApiError> {
    let mut conn = state.db.acquire().await?;
    let header = store::header(&mut conn, user_id, id).await?.ok_or_else(|| not_found(id))?;
    let items = store::items(&mut conn, id, None).await?;
    Ok(view(header, items))
}

async fn item(state: &AppState, id: Uuid, position: i32) -> Result<InterviewItem, ApiError> {
    let mut conn = state.db.acquire().await?;
    let row = store::items(&mut conn, id, Some(position)).await?.pop().ok_or_else(|| no_item(id, position))?;
    Ok(item_view(row))
}

/// The cold attempt at one question. Once in, it reveals the model answer and the
/// rubric; the same attempt again is answered alike, a different one is a 409.
pub async fn attempt(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    position: i32,
    body: ColdAttempt,
) -> Result<InterviewItem, ApiError> {
    let answer = match (body.answer.as_deref().map(str::trim), body.skip) {
        (Some(_), true) => return Err(ApiError::invalid("skip", "send an answer or skip, not both")),
        (None, false) => return Err(ApiError::invalid("answer", "send an answer, or \"skip\": true")),
        (Some(""), false) => {
            return Err(ApiError::invalid("answer", "must not be empty (send \"skip\": true to pass)"));
        }
        (Some(text), false) if text.chars().count() > MAX_ANSWER_CHARS => {
            return Err(ApiError::invalid("answer", format!("must be at most {MAX_ANSWER_CHARS} characters")));
        }
        (Some(text), false) => Some(text.to_owned()),
        (None, true) => None,
    };
    let mut conn = state.db.acquire().await?;
    let header = store::header(&mut conn, user_id, id).await?.ok_or_else(|| not_found(id))?;
    let current = store::items(&mut conn, id, Some(position)).await?.pop().ok_or_else(|| no_item(id, position))?;
    drop(conn);
    let now = state.clock.now();
    if current.answered_at.is_none() {
        let late = is_late(header.deadline, now);
        let mut tx = state.db.begin().await?;
        if store::record_attempt(&mut tx, id, position, answer.as_deref(), now, late).await? {
            activity::record(&mut tx, user_id, "interview").await?;
            if answer.is_none() {
                // A skip is a recall failure: the question comes back soon.
                reschedule(&mut tx, user_id, current.question_id, None, now).await?;
                if store::complete_if_done(&mut tx, id, now).await? {
                    announce_completed(&mut tx, user_id, id, now).await?;
                }
            }
        }
        tx.commit().await?;
    }
    // What stands now: this attempt, or the one that got there first.
    let stood = item(state, id, position).await?;
    let same =
        stood.cold_answer.as_deref() == answer.as_deref() && (stood.stage == ItemStage::Skipped) == answer.is_none();
    if !same {
        return Err(ApiError::Conflict(format!(
            "question {position} was already attempted cold; a second cold attempt is not allowed"
        )));
    }
    Ok(stood)
}

/// The self-grade of an answered question, once: one verdict per rubric point. The
/// same grades again are answered alike; different ones, or grading before answering,
/// are a 409.
pub async fn grade(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
    position: i32,
    body: SelfGrade,
) -> Result<InterviewItem, ApiError> {
    let mut conn = state.db.acquire().await?;
    store::header(&mut conn, user_id, id).await?.ok_or_else(|| not_found(id))?;
    let current = store::items(&mut conn, id, Some(position)).await?.pop().ok_or_else(|| no_item(id, position))?;
    drop(conn);
    let Some(rubric) = current.rubric.as_ref().filter(|_| current.answered_at.is_some()) else {
        return Err(ApiError::Conflict(format!("answer question {position} cold before grading it")));
    };
    if current.skipped {
        return Err(ApiError::Conflict(format!("question {position} was skipped; there is no answer to grade")));
    }
    if body.grades.len() != rubric.len() {
        return Err(ApiError::invalid(
            "grades",
            format!("give one grade per rubric point: {} expected, {} given", rubric.len(), body.grades.len()),
        ));
    }
    if current.grades.is_none() {
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        if store::record_grades(&mut tx, id, position, &body.grades, now).await? {
            reschedule(&mut tx, user_id, current.question_id, Some(score(&body.grades)), now).await?;
            if store::complete_if_done(&mut tx, id, now).await? {
                announce_completed(&mut tx, user_id, id, now).await?;
            }
        }
        tx.commit().await?;
    }
    let stood = item(state, id, position).await?;
    if stood.grades.as_deref() != Some(&body.grades[..]) {
        return Err(ApiError::Conflict(format!("question {position} was graded already, differently")));
    }
    Ok(stood)
}

/// Queues `interview.completed` for a learner who shares learning records.
async fn announce_completed(
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    id: Uuid,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    use crate::webhooks::events::{self, EventType};
    let shared = crate::webhooks::model::LearnerEventData {
        learner_id: user_id,
        object_type: "interview".into(),
        object_id: id,
        result: None,
        score: None,
    };
    events::emit_for_learner(tx, EventType::InterviewCompleted, at, &shared).await.map(|_| ())
}

/// Schedules the question's next cold answer with FSRS, as a review rated by the
/// attempt's score ([`rating_for`]), at the learner's desired retention.
async fn reschedule(
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    question_id: Uuid,
    score: Option<f64>,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    // Read inside the transaction: a second pool connection held alongside it would let
    // a burst of grades exhaust the pool.
    let account = crate::auth::store::by_id(&mut *tx, user_id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    let memory = store::memory(&mut *tx, user_id, question_id).await?;
    let step = crate::review::schedule::review(
        memory.as_ref(),
        rating_for(score),
        now,
        account.desired_retention,
        account.fsrs_parameters.as_deref().unwrap_or_default(),
    )?;
    store::save_memory(tx, user_id, question_id, &step.memory, step.due_at).await?;
    Ok(())
}

/// Questions due again for a cold answer, most overdue first.
pub async fn due(state: &AppState, user_id: Uuid) -> Result<DueQuestions, ApiError> {
    let rows = store::due(&state.db, user_id, state.clock.now(), 100).await?;
    let items = rows
        .into_iter()
        .map(|row| DueQuestion {
            question: question_of!(row),
            due_at: row.due_at,
            last_attempted_at: row.last_reviewed_at,
        })
        .collect();
    Ok(DueQuestions { items })
}

/// The caller's cold answers to a question, beside its current model answer and rubric.
pub async fn cold_answers(state: &AppState, user_id: Uuid, question_id: Uuid) -> Result<ColdAnswers, ApiError> {
    let question = store::question(&state.db, question_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no question with id {question_id}")))?;
    let attempts = store::past_attempts(&state.db, user_id, question_id)
        .await?
        .into_iter()
        .map(|row| PastAttempt {
            interview_id: row.interview_id,
            answered_at: row.answered_at,
            score: if row.skipped { Some(0.0) } else { row.grades.as_deref().map(score) },
            answer: row.answer,
            skipped: row.skipped,
            grades: row.grades,
        })
        .collect();
    Ok(ColdAnswers {
        question: question_of!(question),
        model_answer: question.answer,
        rubric: question.rubric,
        attempts,
    })
}

/// `now` is after the session's deadline (with the grace).
fn is_late(deadline: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    deadline.is_some_and(|d| now > d + Duration::seconds(DEADLINE_GRACE_SECS))
}
