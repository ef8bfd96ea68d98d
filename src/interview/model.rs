//! Request and response bodies of the mock-interview endpoints.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalog::model::Difficulty;
pub use crate::quiz::model::ProbeOutcome;
use crate::quiz::model::QuizScope;
use crate::review::model::Rating;
use crate::wire::SlugRef;

/// Start a mock interview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scope": {"track": "python", "stage": "foundations"}, "size": 10, "time_limit_secs": 300,
                           "client_id": "0b6f3c9e-3f0a-4a61-9d3c-1c2b7f0d8e41"}))]
pub struct CreateInterview {
    pub scope: QuizScope,
    /// Number of questions, 1 to 20 (default 10; fewer when the scope holds fewer).
    #[schema(minimum = 1, maximum = 20)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub size: Option<i64>,
    /// Only questions of these difficulties (default: all).
    #[schema(min_items = 1)]
    #[serde(default)]
    pub difficulties: Option<Vec<Difficulty>>,
    /// Seconds per question, 30 to 1800; the session's deadline is this times the
    /// number of questions after the start. Answers after it are recorded as `late`.
    #[schema(minimum = 30, maximum = 1800)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub time_limit_secs: Option<i64>,
    /// The client's id for this start: sending the same one again (a retry after a
    /// lost answer) returns the session it made instead of a second one.
    pub client_id: Option<Uuid>,
}

/// Whether every question of a session is done (answered cold and graded, or skipped).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    Open,
    Completed,
}

/// Where a question of a session stands: `unanswered` (only the prompt is shown),
/// `answered` (the cold answer is in; the model answer and rubric are shown; grade it
/// next), `graded`, or `skipped` (the model answer and rubric are shown; nothing to grade).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ItemStage {
    Unanswered,
    Answered,
    Graded,
    Skipped,
}

/// A learner's verdict on one rubric point of their cold answer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum PointGrade {
    /// The answer made the point.
    GotIt,
    /// Touched on it, incompletely or imprecisely.
    Partly,
    /// Not in the answer.
    Missed,
}

impl PointGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            PointGrade::GotIt => "got_it",
            PointGrade::Partly => "partly",
            PointGrade::Missed => "missed",
        }
    }

    fn worth(self) -> f64 {
        match self {
            PointGrade::GotIt => 1.0,
            PointGrade::Partly => 0.5,
            PointGrade::Missed => 0.0,
        }
    }
}

/// The share of a rubric an answer hit: got it = 1, partly = ½, missed = 0, averaged
/// over the points (0 for no points), to four decimals.
pub fn score(grades: &[PointGrade]) -> f64 {
    if grades.is_empty() {
        return 0.0;
    }
    let total: f64 = grades.iter().map(|g| g.worth()).sum();
    (total / grades.len() as f64 * 10_000.0).round() / 10_000.0
}

/// The share of the rubric at which a cold answer counts as a pass: verified progress
/// evidence (the evidence query uses the same figure) and the `hard`/`good` boundary.
pub const PASS_SCORE: f64 = 0.7;

/// The FSRS rating a cold attempt counts as, so questions come back on the flashcards'
/// schedule: a skip or under 40% of the rubric is `again`, under 70% `hard`, under
/// 100% `good`, every point hit `easy`.
pub fn rating_for(score: Option<f64>) -> Rating {
    match score {
        None => Rating::Again,
        Some(s) if s < 0.4 => Rating::Again,
        Some(s) if s < PASS_SCORE => Rating::Hard,
        Some(s) if s < 1.0 => Rating::Good,
        Some(_) => Rating::Easy,
    }
}

/// The question as an interviewer asks it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterviewQuestion {
    pub id: Uuid,
    pub title: String,
    pub prompt: String,
    pub difficulty: Difficulty,
    pub topic: SlugRef,
}

/// One question of a session. `model_answer` and `rubric` are null until the cold
/// attempt (an answer or a skip) is in: the server never sends them before.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterviewItem {
    pub position: i32,
    pub question: InterviewQuestion,
    pub stage: ItemStage,
    /// The cold answer as submitted; null before it and for a skip.
    #[schema(required)]
    pub cold_answer: Option<String>,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    /// Submitted after the session's deadline.
    pub late: bool,
    /// The current model answer (Markdown); null before the cold attempt.
    #[schema(required)]
    pub model_answer: Option<String>,
    /// The key points to grade against, as revealed; null before the cold attempt.
    #[schema(required)]
    pub rubric: Option<Vec<String>>,
    /// The self-grade, one per rubric point; null until graded.
    #[schema(required)]
    pub grades: Option<Vec<PointGrade>>,
    /// The share of the rubric hit (see `grades`); null until graded, 0 for a skip.
    #[schema(required)]
    pub score: Option<f64>,
    /// Drawn as a verification probe of a question the learner claimed or proved
    /// earlier (see next-up).
    pub probe: bool,
    /// For a probe, once graded or skipped: `verified` (at least 70% of the rubric: the
    /// question counts as verified) or `unverified` (under 70%, or skipped: it no longer
    /// does). Null otherwise.
    #[schema(required)]
    pub probe_outcome: Option<ProbeOutcome>,
}

/// A mock interview session.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "6a1f1e8e-8a4f-4c59-bb1c-2f1b9d3c5e70", "status": "open",
    "created_at": "2026-12-05T09:00:00Z", "deadline": "2026-12-05T09:50:00Z", "completed_at": null,
    "items": [{
        "position": 0,
        "question": {"id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "title": "Why do `a = a + [1]` and `a += [1]` differ?",
                     "prompt": "`b = a` and then `a += [1]`: what does `b` hold?", "difficulty": "mid",
                     "topic": {"slug": "fundamentals", "title": "Fundamentals"}},
        "stage": "unanswered", "cold_answer": null, "answered_at": null, "late": false,
        "model_answer": null, "rubric": null, "grades": null, "score": null, "probe": false, "probe_outcome": null
    }]
}))]
pub struct Interview {
    pub id: Uuid,
    pub status: InterviewStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Answers after this are recorded as late; null without a time limit.
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub items: Vec<InterviewItem>,
}

/// The cold attempt at one question: an `answer`, or `"skip": true`. Sent once; the
/// same body again is answered as the first time, a different one is a 409.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answer": "`+=` calls `__iadd__`, which extends the list in place, so `b` sees it; `a = a + [1]` builds a new list."}))]
pub struct ColdAttempt {
    /// Free text, 1 to 20,000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    pub answer: Option<String>,
    /// `true` to pass on the question (its model answer and rubric are then shown).
    #[serde(default)]
    pub skip: bool,
}

/// The self-grade of one answered question: one verdict per rubric point, in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grades": ["got_it", "partly", "missed"]}))]
pub struct SelfGrade {
    pub grades: Vec<PointGrade>,
}

/// One earlier cold attempt at a question.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PastAttempt {
    pub interview_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub answered_at: OffsetDateTime,
    /// Null for a skip.
    #[schema(required)]
    pub answer: Option<String>,
    pub skipped: bool,
    /// Null until graded.
    #[schema(required)]
    pub grades: Option<Vec<PointGrade>>,
    #[schema(required)]
    pub score: Option<f64>,
}

/// A learner's cold answers to a question, newest first, beside its current model
/// answer and rubric.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ColdAnswers {
    pub question: InterviewQuestion,
    pub model_answer: String,
    pub rubric: Vec<String>,
    pub attempts: Vec<PastAttempt>,
}

/// A question due again for a cold answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueQuestion {
    pub question: InterviewQuestion,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// When it was last answered cold (or skipped).
    #[serde(with = "time::serde::rfc3339")]
    pub last_attempted_at: OffsetDateTime,
}

/// Questions due again, most overdue first (at most 100).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "question": {"id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "title": "Why do `a = a + [1]` and `a += [1]` differ?",
                 "prompt": "`b = a` and then `a += [1]`: what does `b` hold?", "difficulty": "mid",
                 "topic": {"slug": "fundamentals", "title": "Fundamentals"}},
    "due_at": "2026-12-08T09:00:00Z", "last_attempted_at": "2026-12-05T09:00:00Z"
}]}))]
pub struct DueQuestions {
    pub items: Vec<DueQuestion>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_is_the_share_of_points_hit() {
        use PointGrade::*;
        assert_eq!(score(&[GotIt, GotIt, GotIt]), 1.0);
        assert_eq!(score(&[GotIt, Partly, Missed, Missed]), 0.375);
        assert_eq!(score(&[Missed, Missed, Missed]), 0.0);
        assert_eq!(score(&[]), 0.0);
        assert_eq!(rating_for(None), Rating::Again, "a skip");
        assert_eq!(rating_for(Some(0.375)), Rating::Again);
        assert_eq!(rating_for(Some(0.5)), Rating::Hard);
        assert_eq!(rating_for(Some(0.75)), Rating::Good);
        assert_eq!(rating_for(Some(1.0)), Rating::Easy);
        for grade in [GotIt, Partly, Missed] {
            assert_eq!(serde_json::to_value(grade).unwrap(), grade.as_str());
        }
    }
}
