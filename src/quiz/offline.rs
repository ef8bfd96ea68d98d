//! Practice quizzes taken offline from a track's bundle and graded when they sync: the
//! app has the items without their answers, the learner's choices travel in a sync
//! batch, and the server grades them exactly as an online practice quiz. Exams stay
//! online-only: their time limit needs a clock the server trusts.

use std::collections::{BTreeMap, HashSet};

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{OfflineAnswer, QuizMode, QuizScope};
use super::{service, store};
use crate::error::{ApiError, FieldError};
use crate::progress::activity;

/// Items per offline quiz, as for an online one.
pub const MAX_ITEMS: usize = 50;

/// A practice quiz finished offline, with the device's times.
pub struct OfflineQuiz<'a> {
    /// The client's id for it: sending it again changes nothing.
    pub id: Uuid,
    pub started_at: OffsetDateTime,
    pub submitted_at: OffsetDateTime,
    pub answers: &'a [OfflineAnswer],
}

/// Records and grades the quiz on the caller's connection; `true` when it was
/// recorded before (a retry). Nothing is written unless every answer is valid.
pub async fn record(conn: &mut PgConnection, user_id: Uuid, quiz: OfflineQuiz<'_>) -> Result<bool, ApiError> {
    if quiz.answers.is_empty() || quiz.answers.len() > MAX_ITEMS {
        return Err(ApiError::invalid("answers", format!("must hold 1 to {MAX_ITEMS} answers")));
    }
    if quiz.submitted_at < quiz.started_at {
        return Err(ApiError::invalid("submitted_at", "must not be before started_at"));
    }
    match store::attempt_owner(&mut *conn, quiz.id).await? {
        Some(owner) if owner == user_id => return Ok(true),
        Some(_) => return Err(ApiError::Conflict("this submission_id is already used; generate a new one".into())),
        None => {}
    }
    let ids: Vec<Uuid> = quiz.answers.iter().map(|a| a.quiz_item_id).collect();
    let live = store::live_items(&mut *conn, &ids).await?;
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    let mut rows = Vec::with_capacity(ids.len());
    let mut selected: BTreeMap<i32, Vec<i16>> = BTreeMap::new();
    let mut topics: Vec<String> = Vec::new();
    for (position, answer) in quiz.answers.iter().enumerate() {
        let field = format!("answers[{position}]");
        let Some(item) = live.iter().find(|i| i.quiz_item_id == answer.quiz_item_id) else {
            errors.push(FieldError::new(field, format!("no live quiz item {}", answer.quiz_item_id)));
            continue;
        };
        if !seen.insert(answer.quiz_item_id) {
            errors.push(FieldError::new(field, "answers the same item twice"));
            continue;
        }
        if answer.selected.iter().any(|&s| s as usize >= item.options.len()) {
            let last = item.options.len() - 1;
            errors.push(FieldError::new(field, format!("selected must be indices from 0 to {last}")));
            continue;
        }
        let position = position as i32;
        selected.insert(position, answer.selected.iter().map(|&s| s as i16).collect());
        if !topics.contains(&item.topic_slug) {
            topics.push(item.topic_slug.clone());
        }
        rows.push(serde_json::json!({
            "position": position, "quiz_item_id": item.quiz_item_id, "topic_id": item.topic_id,
            "question_id": item.question_id, "kind": item.kind, "prompt": item.prompt, "code": item.code,
            "options": item.options, "correct": item.correct, "explanation": item.explanation, "probe": false,
        }));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation { detail: "the offline quiz is invalid".into(), errors });
    }
    let scope = QuizScope { track: None, stage: None, topics: Some(topics) };
    let header = store::NewAttempt {
        id: Some(quiz.id),
        user_id,
        mode: QuizMode::Practice.as_str(),
        scope: &scope,
        created_at: quiz.started_at,
        deadline: None,
        total: rows.len() as i32,
    };
    store::insert_attempt(&mut *conn, header).await?;
    store::insert_attempt_items(&mut *conn, quiz.id, &rows).await?;
    let items = store::attempt_items(&mut *conn, quiz.id).await?;
    let (result, answers) = service::grade(quiz.id, QuizMode::Practice, &items, &selected, quiz.submitted_at, false);
    store::save_answers(&mut *conn, quiz.id, &answers).await?;
    store::save_result(&mut *conn, quiz.id, quiz.submitted_at, false, result.score, &result).await?;
    activity::record_at(&mut *conn, user_id, "quiz", Some(quiz.submitted_at)).await?;
    service::announce(&mut *conn, user_id, &result).await?;
    Ok(false)
}
