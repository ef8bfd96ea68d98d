//! Quiz use cases: resolve a scope, draw and snapshot an attempt, grade a submission
//! once, and read attempts back. Each write is one transaction.

use std::collections::{BTreeMap, HashSet};

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::grading;
use super::model::*;
use super::store;
use crate::auth::AuthUser;
use crate::catalog::model::SlugRef;
use crate::catalog::store as catalog_store;
use crate::error::{ApiError, FieldError};
use crate::pagination;
use crate::progress::activity;
use crate::slug::is_slug;
use crate::state::AppState;

/// Seconds of grace after an exam deadline, for network latency.
const DEADLINE_GRACE_SECS: i64 = 5;

/// Resolves a scope to topic ids, checking it names live content.
pub async fn scope_topics(state: &AppState, scope: &QuizScope) -> Result<Vec<Uuid>, ApiError> {
    match (&scope.track, &scope.stage, &scope.topics) {
        (Some(track), stage, None) => {
            let not_found = || ApiError::invalid("scope.track", format!("no track {track:?}"));
            if !is_slug(track) {
                return Err(not_found());
            }
            let row = catalog_store::track_by_slug(&state.db, track).await?.ok_or_else(not_found)?;
            let placements = catalog_store::placements(&state.db, Some(row.track_id)).await?;
            let ids: Vec<Uuid> = match stage {
                None => placements.iter().map(|p| p.topic_id).collect(),
                Some(stage) => {
                    let stages = catalog_store::stages(&state.db, Some(row.track_id)).await?;
                    let stage_id =
                        stages.iter().find(|(_, s)| &s.slug == stage).map(|(_, s)| s.stage_id).ok_or_else(|| {
                            ApiError::invalid("scope.stage", format!("no stage {stage:?} on track {track:?}"))
                        })?;
                    placements.iter().filter(|p| p.stage_id == Some(stage_id)).map(|p| p.topic_id).collect()
                }
            };
            Ok(ids)
        }
        (None, None, Some(topics)) => {
            if topics.is_empty() || topics.len() > 20 {
                return Err(ApiError::invalid("scope.topics", "must list 1 to 20 topic slugs"));
            }
            let valid: Vec<&str> = topics.iter().map(String::as_str).filter(|t| is_slug(t)).collect();
            let found = store::live_topics(&state.db, &valid).await?;
            let errors: Vec<FieldError> = topics
                .iter()
                .filter(|t| !found.iter().any(|(_, slug)| slug == *t))
                .map(|t| FieldError::new("scope.topics", format!("no topic {t:?}")))
                .collect();
            if !errors.is_empty() {
                return Err(ApiError::Validation { detail: "the scope names unknown topics".into(), errors });
            }
            Ok(found.into_iter().map(|(id, _)| id).collect())
        }
        _ => Err(ApiError::invalid("scope", "give `track` (optionally with `stage`), or `topics`")),
    }
}

/// Starts an attempt: validates size and time limit, draws from the scope and stores
/// the snapshot the learner answers.
pub async fn create(state: &AppState, user: &AuthUser, body: CreateQuiz) -> Result<QuizAttempt, ApiError> {
    let user_id = user.id;
    if !(1..=50).contains(&body.size) {
        return Err(ApiError::invalid("size", "must be between 1 and 50"));
    }
    let limit = match (body.mode, body.time_limit_secs) {
        (QuizMode::Practice, Some(_)) => {
            return Err(ApiError::invalid("time_limit_secs", "only exams have a time limit"));
        }
        (QuizMode::Practice, None) => None,
        (QuizMode::Exam, Some(secs)) if !(30..=7200).contains(&secs) => {
            return Err(ApiError::invalid("time_limit_secs", "must be between 30 and 7200"));
        }
        (QuizMode::Exam, secs) => Some(secs.unwrap_or(60 * body.size)),
    };
    let topics = scope_topics(state, &body.scope).await?;
    let probes = crate::progress::service::probe_questions(state, user, body.scope.track.as_deref(), &topics).await?;
    // Up to half the quiz (at least one item) re-checks claims; the rest is practice.
    let max_probes = (body.size / 2).max(1);
    let drawn = store::draw(&state.db, user_id, &topics, body.size, &probes, max_probes).await?;
    if drawn.is_empty() {
        return Err(ApiError::invalid("scope", "the scope holds no quiz items"));
    }
    let now = state.clock.now();
    let deadline = limit.map(|secs| now + Duration::seconds(secs));
    let mut tx = state.db.begin().await?;
    let header = store::NewAttempt {
        id: None,
        user_id,
        mode: body.mode.as_str(),
        scope: &body.scope,
        created_at: now,
        deadline,
        total: drawn.len() as i32,
    };
    let id = store::insert_attempt(&mut tx, header).await?;
    let mut items = Vec::with_capacity(drawn.len());
    let mut rows = Vec::with_capacity(drawn.len());
    for (position, c) in drawn.into_iter().enumerate() {
        let (options, correct) = grading::shuffle(&c.options, &c.correct);
        rows.push(serde_json::json!({
            "position": position, "quiz_item_id": c.quiz_item_id, "topic_id": c.topic_id, "question_id": c.question_id,
            "kind": c.kind, "prompt": c.prompt, "code": c.code, "options": options, "correct": correct,
            "explanation": c.explanation, "probe": c.probe,
        }));
        items.push(QuizItemView {
            position: position as i32,
            topic: SlugRef { slug: c.topic_slug, title: c.topic_title },
            kind: c.kind,
            prompt: c.prompt,
            code: c.code,
            options,
        });
    }
    store::insert_attempt_items(&mut tx, id, &rows).await?;
    tx.commit().await?;
    let attempt = QuizAttempt {
        id,
        mode: body.mode,
        status: AttemptStatus::Open,
        created_at: now,
        deadline,
        scope: body.scope,
        items,
        result: None,
    };
    Ok(attempt)
}

/// A submission's answer: the result stored by an earlier submission of the same
/// attempt (returned as it was, never graded twice), or the one graded now.
pub enum Submitted {
    Earlier(serde_json::Value),
    Now(QuizResult),
}

/// Grades an attempt once, under its row lock, and records the activity.
pub async fn submit(state: &AppState, user_id: Uuid, id: Uuid, body: &Submission) -> Result<Submitted, ApiError> {
    // Rules of the body's own shape hold whatever state the attempt is in, so they are
    // checked before an earlier submission's stored result is returned: a malformed
    // retry is a 422, never a 200.
    let shape = shape_errors(body);
    if !shape.is_empty() {
        return Err(ApiError::Validation { detail: "the submission is invalid".into(), errors: shape });
    }
    let mut tx = state.db.begin().await?;
    let attempt = store::attempt(&mut tx, user_id, id, true).await?.ok_or_else(|| not_found(id))?;
    if let Some(result) = attempt.result {
        return Ok(Submitted::Earlier(result.0));
    }
    let items = store::attempt_items(&mut tx, id).await?;
    let mut selected: BTreeMap<i32, Vec<i16>> = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, answer) in body.answers.iter().enumerate() {
        let field = format!("answers[{i}]");
        let Some(item) = items.iter().find(|it| it.position == answer.position) else {
            errors.push(FieldError::new(field, format!("no item at position {}", answer.position)));
            continue;
        };
        if selected.contains_key(&answer.position) {
            errors.push(FieldError::new(field, "answers this position twice"));
            continue;
        }
        let distinct: HashSet<i32> = answer.selected.iter().copied().collect();
        if distinct.len() != answer.selected.len()
            || answer.selected.iter().any(|&s| s < 0 || s as usize >= item.options.len())
        {
            errors.push(FieldError::new(
                field,
                format!("selected must be distinct indices from 0 to {}", item.options.len() - 1),
            ));
            continue;
        }
        selected.insert(answer.position, answer.selected.iter().map(|&s| s as i16).collect());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation { detail: "the submission is invalid".into(), errors });
    }
    let now = state.clock.now();
    let late = attempt.deadline.is_some_and(|d| now > d + Duration::seconds(DEADLINE_GRACE_SECS));
    let (result, answers) = grade(id, attempt.mode, &items, &selected, now, late);
    store::save_answers(&mut tx, id, &answers).await?;
    let score = result.score;
    store::save_result(&mut tx, id, now, late, score, &result).await?;
    activity::record(&mut tx, user_id, "quiz").await?;
    announce(&mut tx, user_id, &result).await?;
    tx.commit().await?;
    Ok(Submitted::Now(result))
}

/// Queues `quiz.submitted` for a learner who shares learning records.
pub(super) async fn announce(conn: &mut sqlx::PgConnection, user_id: Uuid, result: &QuizResult) -> sqlx::Result<()> {
    let shared = crate::webhooks::model::LearnerEventData {
        learner_id: user_id,
        object_type: "quiz".into(),
        object_id: result.id,
        result: Some(result.mode.as_str().to_owned()),
        score: Some(result.accuracy),
    };
    let event = crate::webhooks::events::EventType::QuizSubmitted;
    crate::webhooks::events::emit_for_learner(conn, event, result.submitted_at, &shared).await.map(|_| ())
}

/// Grades an attempt's stored items against the chosen options (`selected` by
/// position; a position without an entry is unanswered): the result, and the answers
/// to store per item. Late answers are shown but score nothing.
pub(super) fn grade(
    id: Uuid,
    mode: QuizMode,
    items: &[store::AttemptItemRow],
    selected: &BTreeMap<i32, Vec<i16>>,
    submitted_at: OffsetDateTime,
    late: bool,
) -> (QuizResult, Vec<serde_json::Value>) {
    let mut graded = Vec::with_capacity(items.len());
    let mut answers = Vec::with_capacity(items.len());
    let mut by_topic: BTreeMap<String, TopicScore> = BTreeMap::new();
    for item in items {
        let chosen = selected.get(&item.position).cloned().unwrap_or_default();
        let correct = grading::is_correct(&item.correct, &chosen);
        answers.push(serde_json::json!({"position": item.position, "selected": chosen, "is_correct": correct}));
        let topic = SlugRef { slug: item.topic_slug.clone(), title: item.topic_title.clone() };
        let score = by_topic.entry(item.topic_slug.clone()).or_insert(TopicScore {
            topic: topic.clone(),
            correct: 0,
            total: 0,
        });
        score.total += 1;
        score.correct += i32::from(correct && !late);
        graded.push(GradedItem {
            position: item.position,
            topic,
            kind: item.kind,
            prompt: item.prompt.clone(),
            code: item.code.clone(),
            options: item.options.clone(),
            selected: chosen.iter().map(|&s| i32::from(s)).collect(),
            correct_options: item.correct.iter().map(|&s| i32::from(s)).collect(),
            correct,
            late,
            explanation: item.explanation.clone(),
            question_id: item.question_id,
            probe: item.probe.then_some(if correct { ProbeOutcome::Verified } else { ProbeOutcome::Unverified }),
        });
    }
    let score = graded.iter().filter(|g| g.correct && !g.late).count() as i32;
    let total = graded.len() as i32;
    let result = QuizResult {
        id,
        mode,
        submitted_at,
        late,
        score,
        total,
        accuracy: if total > 0 { (score as f64 / total as f64 * 10_000.0).round() / 10_000.0 } else { 0.0 },
        items: graded,
        by_topic: by_topic.into_values().collect(),
    };
    (result, answers)
}

/// A page of the learner's attempts, newest first.
pub async fn history(
    state: &AppState,
    user_id: Uuid,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> Result<QuizPage, ApiError> {
    let mut rows = store::history(&state.db, user_id, after, limit + 1).await?;
    let next = pagination::next_cursor(&mut rows, limit, |r| {
        pagination::encode(&(r.created_at.unix_timestamp_nanos(), r.attempt_id))
    });
    let items = rows
        .into_iter()
        .map(|r| QuizSummary {
            id: r.attempt_id,
            mode: r.mode,
            created_at: r.created_at,
            submitted_at: r.submitted_at,
            score: r.score,
            total: r.total,
            scope: serde_json::from_value(r.scope.0).unwrap_or(QuizScope { track: None, stage: None, topics: None }),
        })
        .collect();
    Ok(QuizPage { items, next_cursor: next })
}

/// One of the learner's attempts (404 for anyone else's), with its result once graded.
pub async fn attempt(state: &AppState, user_id: Uuid, id: Uuid) -> Result<QuizAttempt, ApiError> {
    let mut conn = state.db.acquire().await?;
    let attempt = store::attempt(&mut conn, user_id, id, false).await?.ok_or_else(|| not_found(id))?;
    let items = store::attempt_items(&mut conn, id).await?;
    let result: Option<QuizResult> = attempt.result.and_then(|r| serde_json::from_value(r.0).ok());
    let view = QuizAttempt {
        id: attempt.attempt_id,
        mode: attempt.mode,
        status: if attempt.submitted_at.is_some() { AttemptStatus::Submitted } else { AttemptStatus::Open },
        created_at: attempt.created_at,
        deadline: attempt.deadline,
        scope: serde_json::from_value(attempt.scope.0).unwrap_or(QuizScope { track: None, stage: None, topics: None }),
        items: items
            .into_iter()
            .map(|i| QuizItemView {
                position: i.position,
                topic: SlugRef { slug: i.topic_slug, title: i.topic_title },
                kind: i.kind,
                prompt: i.prompt,
                code: i.code,
                options: i.options,
            })
            .collect(),
        result,
    };
    let _ = attempt.user_id;
    Ok(view)
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no quiz attempt {id}"))
}

/// What the schema says of a submission, independent of the attempt: positions and
/// option indices are not negative, and an answer names each option at most once.
fn shape_errors(body: &Submission) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, answer) in body.answers.iter().enumerate() {
        let distinct: HashSet<i32> = answer.selected.iter().copied().collect();
        if answer.position < 0 {
            errors.push(FieldError::new(format!("answers[{i}].position"), "must not be negative"));
        }
        if answer.selected.iter().any(|&s| s < 0) || distinct.len() != answer.selected.len() {
            errors.push(FieldError::new(format!("answers[{i}].selected"), "must be distinct indices, 0 or more"));
        }
    }
    errors
}
