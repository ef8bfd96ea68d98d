//! Request and response bodies of the quiz endpoints.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalog::model::SlugRef;

/// What to draw items from: a whole track, one stage of a track, or a list of topics.
/// Exactly two shapes are valid (see `quiz::service::scope_topics`); its OpenAPI schema
/// states them as a `oneOf`, written by hand in [`super::docs`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizScope {
    /// Track slug (alone: the whole track, electives included).
    pub track: Option<String>,
    /// Stage slug; needs `track`.
    pub stage: Option<String>,
    /// 1 to 20 topic slugs (instead of `track`).
    pub topics: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum QuizMode {
    /// No time limit.
    Practice,
    /// A deadline; answers submitted after it are marked late and do not score.
    Exam,
}

impl QuizMode {
    pub fn as_str(self) -> &'static str {
        match self {
            QuizMode::Practice => "practice",
            QuizMode::Exam => "exam",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scope": {"track": "python", "stage": "foundations"}, "size": 10, "mode": "exam", "time_limit_secs": 600}))]
pub struct CreateQuiz {
    pub scope: QuizScope,
    /// Number of items, 1 to 50 (fewer when the scope holds fewer).
    #[schema(minimum = 1, maximum = 50)]
    #[serde(deserialize_with = "crate::web::integral::int")]
    pub size: i64,
    pub mode: QuizMode,
    /// Exam only: 30 to 7200 seconds (default 60 per item).
    #[schema(minimum = 30, maximum = 7200)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub time_limit_secs: Option<i64>,
}

/// The kind of a quiz item, which decides how to show it: `single_choice` (pick one),
/// `multiple_choice` (pick every correct option; all-or-nothing), `true_false` (two
/// options, `True` and `False`) or `predict_output` (what does `code` print? pick one).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum QuizItemKind {
    SingleChoice,
    MultipleChoice,
    TrueFalse,
    PredictOutput,
}

impl QuizItemKind {
    pub const ALL: [QuizItemKind; 4] = [
        QuizItemKind::SingleChoice,
        QuizItemKind::MultipleChoice,
        QuizItemKind::TrueFalse,
        QuizItemKind::PredictOutput,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuizItemKind::SingleChoice => "single_choice",
            QuizItemKind::MultipleChoice => "multiple_choice",
            QuizItemKind::TrueFalse => "true_false",
            QuizItemKind::PredictOutput => "predict_output",
        }
    }
}

/// Where an attempt stands: `open` (items shown, no answers yet) or `submitted`
/// (graded; `result` holds the grades).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AttemptStatus {
    Open,
    Submitted,
}

/// An item as shown while the attempt is open: no correct answer, no explanation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "position": 0, "topic": {"slug": "fundamentals", "title": "Fundamentals"}, "kind": "predict_output",
    "prompt": "What does this print?", "code": "a = [1]\nb = a\na += [2]\nprint(b)",
    "options": ["[1, 2]", "[1]", "TypeError", "[2]"]
}))]
pub struct QuizItemView {
    pub position: i32,
    pub topic: SlugRef,
    pub kind: QuizItemKind,
    /// Markdown.
    pub prompt: String,
    /// The snippet of a `predict_output` item; null for the other kinds.
    #[schema(required)]
    pub code: Option<String>,
    /// In this attempt's order; answer with 0-based indices into it.
    pub options: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"position": 0, "selected": [0]}))]
pub struct Answer {
    /// The item's `position` in the attempt.
    #[schema(minimum = 0)]
    #[serde(deserialize_with = "crate::web::integral::int")]
    pub position: i32,
    /// 0-based indices into the item's options, each at most once; several for multiple
    /// choice, none to leave the item unanswered.
    #[schema(value_type = std::collections::BTreeSet<u32>)]
    #[serde(deserialize_with = "crate::web::integral::vec")]
    pub selected: Vec<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [{"position": 0, "selected": [0]}, {"position": 1, "selected": [1, 3]}]}))]
pub struct Submission {
    /// At most one answer per position; unanswered items count as wrong.
    pub answers: Vec<Answer>,
}

/// One item after grading: the learner's answer next to the correct one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
        "position": 0, "topic": {"slug": "fundamentals", "title": "Fundamentals"}, "kind": "predict_output",
        "prompt": "What does this print?", "code": "a = [1]\nb = a\na += [2]\nprint(b)",
        "options": ["[1, 2]", "[1]", "TypeError", "[2]"], "selected": [1], "correct_options": [0],
        "correct": false, "late": false,
        "explanation": "`+=` on a list extends it in place, and `b` names the same list.",
        "question_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "probe": null
    }))]
pub struct GradedItem {
    pub position: i32,
    pub topic: SlugRef,
    pub kind: QuizItemKind,
    pub prompt: String,
    /// The snippet of a `predict_output` item; null for the other kinds.
    #[schema(required)]
    pub code: Option<String>,
    pub options: Vec<String>,
    pub selected: Vec<i32>,
    pub correct_options: Vec<i32>,
    pub correct: bool,
    /// Submitted after the exam's deadline: graded, but not scored.
    pub late: bool,
    pub explanation: String,
    /// The interview question this item tests; null when it tests none.
    #[schema(required)]
    pub question_id: Option<Uuid>,
    /// Set when the item was drawn as a verification probe of its question (see next-up):
    /// `verified` (answered correctly: the question counts as verified again) or
    /// `unverified` (answered wrong: it no longer counts as verified). Null otherwise.
    #[serde(default)]
    #[schema(required)]
    pub probe: Option<ProbeOutcome>,
}

/// What a verification probe did to its question.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProbeOutcome {
    /// Passed: the question counts as verified.
    Verified,
    /// Failed: the question no longer counts as verified.
    Unverified,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"topic": {"slug": "fundamentals", "title": "Fundamentals"}, "correct": 3, "total": 4}))]
pub struct TopicScore {
    pub topic: SlugRef,
    pub correct: i32,
    pub total: i32,
}

/// A graded attempt. Submitting again returns this same document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
        "id": "5d0c6780-0d29-43a3-b7a9-2423330bdc32", "mode": "practice", "submitted_at": "2026-11-24T12:08:41Z",
        "late": false, "score": 0, "total": 1, "accuracy": 0.0,
        "items": [{
        "position": 0, "topic": {"slug": "fundamentals", "title": "Fundamentals"}, "kind": "predict_output",
        "prompt": "What does this print?", "code": "a = [1]\nb = a\na += [2]\nprint(b)",
        "options": ["[1, 2]", "[1]", "TypeError", "[2]"], "selected": [1], "correct_options": [0],
        "correct": false, "late": false,
        "explanation": "`+=` on a list extends it in place, and `b` names the same list.",
        "question_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "probe": null
    }],
        "by_topic": [{"topic": {"slug": "fundamentals", "title": "Fundamentals"}, "correct": 0, "total": 1}]
    }))]
pub struct QuizResult {
    pub id: Uuid,
    pub mode: QuizMode,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// The submission came after the exam's deadline.
    pub late: bool,
    /// Correct answers that count (on time). Multiple choice is all-or-nothing.
    pub score: i32,
    pub total: i32,
    /// `score / total`.
    pub accuracy: f64,
    pub items: Vec<GradedItem>,
    pub by_topic: Vec<TopicScore>,
}

/// An attempt: open (items without answers) or submitted (with its result).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5d0c6780-0d29-43a3-b7a9-2423330bdc32", "mode": "exam", "status": "open",
    "created_at": "2026-11-24T12:00:00Z", "deadline": "2026-11-24T12:10:00Z",
    "scope": {"track": "python", "stage": "foundations"},
    "items": [{
        "position": 0, "topic": {"slug": "fundamentals", "title": "Fundamentals"}, "kind": "predict_output",
        "prompt": "What does this print?", "code": "a = [1]\nb = a\na += [2]\nprint(b)",
        "options": ["[1, 2]", "[1]", "TypeError", "[2]"]
    }],
    "result": null
}))]
pub struct QuizAttempt {
    pub id: Uuid,
    pub mode: QuizMode,
    pub status: AttemptStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Exams only: answers submitted after it are late. Null in practice mode.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub deadline: Option<OffsetDateTime>,
    pub scope: QuizScope,
    pub items: Vec<QuizItemView>,
    /// The graded result once submitted; null while the attempt is open.
    #[schema(required)]
    pub result: Option<QuizResult>,
}

/// An attempt as listed in the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5d0c6780-0d29-43a3-b7a9-2423330bdc32", "mode": "practice", "created_at": "2026-11-24T12:00:00Z",
    "submitted_at": "2026-11-24T12:08:41Z", "score": 7, "total": 10, "scope": {"track": "python"}
}))]
pub struct QuizSummary {
    pub id: Uuid,
    pub mode: QuizMode,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Null while the attempt is open.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub submitted_at: Option<OffsetDateTime>,
    /// Correct answers that count; null while the attempt is open.
    #[schema(required)]
    pub score: Option<i32>,
    pub total: i32,
    pub scope: QuizScope,
}

/// A page of the caller's attempts, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": "5d0c6780-0d29-43a3-b7a9-2423330bdc32", "mode": "practice", "created_at": "2026-11-24T12:00:00Z",
        "submitted_at": "2026-11-24T12:08:41Z", "score": 7, "total": 10, "scope": {"track": "python"}
    }],
    "next_cursor": null
}))]
pub struct QuizPage {
    pub items: Vec<QuizSummary>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_kinds_are_stored_as_they_serialise() {
        // `as_str` is what the seed writes; the sqlx `Type` (snake_case) reads it back.
        for kind in QuizItemKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str(), "{kind:?}");
        }
    }
}

/// One answer of a practice quiz taken offline from a track's bundle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quiz_item_id": "3a1c4b8a-1d2c-4e7f-8a1b-6c5d4e3f2a12", "selected": [0]}))]
pub struct OfflineAnswer {
    /// The item's `id` in the bundle.
    pub quiz_item_id: uuid::Uuid,
    /// 0-based indices into the item's `options` as the bundle lists them (authored
    /// order), each at most once; none to leave it unanswered.
    #[schema(value_type = std::collections::BTreeSet<u32>)]
    #[serde(deserialize_with = "crate::web::integral::option_indices")]
    pub selected: Vec<u32>,
}
