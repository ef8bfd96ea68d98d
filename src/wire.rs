//! Wire types several domains share: a slug with its title, and a learner's progress
//! figures, which the catalogue's roadmap carries as an overlay and the progress,
//! profile and reminder views report. A leaf of the module graph, so the domains that
//! use them never need each other for a type.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A reference to a track, stage or topic by slug and title.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"slug": "foundations", "title": "Foundations"}))]
pub struct SlugRef {
    /// URL key.
    pub slug: String,
    /// Display name.
    pub title: String,
}

/// Where the learner is with a topic: `not_started`, `learning`, `done` (the topic
/// counts as full, whatever its questions say) or `skipped` (an elective the learner
/// chose not to do; it no longer counts against the track).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum TopicStatus {
    NotStarted,
    Learning,
    Done,
    Skipped,
}

impl TopicStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TopicStatus::NotStarted => "not_started",
            TopicStatus::Learning => "learning",
            TopicStatus::Done => "done",
            TopicStatus::Skipped => "skipped",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "not_started" => Some(TopicStatus::NotStarted),
            "learning" => Some(TopicStatus::Learning),
            "done" => Some(TopicStatus::Done),
            "skipped" => Some(TopicStatus::Skipped),
            _ => None,
        }
    }
}

/// Question marks of a topic, over live questions only.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"total": 12, "got_it": 5, "learning": 3}))]
pub struct QuestionCounts {
    /// Live questions in the topic.
    pub total: i64,
    /// Of those, marked `got_it`.
    pub got_it: i64,
    /// Of those, marked `learning`.
    pub learning: i64,
}

/// Quiz results in a topic (the accuracies are null until the learner has answered
/// its quiz items).
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"answered": 14, "best_accuracy": 0.9, "recent_accuracy": 0.75}))]
pub struct QuizStats {
    /// Quiz items of the topic answered in submitted attempts.
    pub answered: i64,
    /// Best share of correct answers in one attempt (0 to 1); null before the first.
    #[schema(required)]
    pub best_accuracy: Option<f64>,
    /// Share correct in the most recent attempt that covered the topic (0 to 1); null
    /// before the first.
    #[schema(required)]
    pub recent_accuracy: Option<f64>,
}

/// One topic's progress.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "status": "learning", "marked": false, "questions": {"total": 12, "got_it": 5, "learning": 3},
    "quiz": {"answered": 0, "best_accuracy": null, "recent_accuracy": null},
    "flashcards_due": 0, "flashcards_overdue": 0, "overconfident_questions": 0, "fill": 0.5416, "percent": 54, "counts_toward_track": true
}))]
pub struct TopicProgress {
    /// The learner's own mark when there is one, else derived from question marks
    /// (`not_started` with none, `done` when every question is got-it, else `learning`).
    pub status: TopicStatus,
    /// Whether `status` is the learner's explicit mark.
    pub marked: bool,
    pub questions: QuestionCounts,
    pub quiz: QuizStats,
    /// Flashcards of the topic due for review now.
    pub flashcards_due: i64,
    /// Of those, due for more than a day.
    pub flashcards_overdue: i64,
    /// Questions marked got-it whose quiz items the learner then answered wrong.
    pub overconfident_questions: i64,
    /// 0 to 1; see the fill rule in the operation's description.
    pub fill: f64,
    /// `fill` as a whole percentage, rounded down (100 only when complete).
    pub percent: i32,
    /// Core topics always count; an elective counts once started, never when skipped.
    pub counts_toward_track: bool,
}

/// A fill for a stage or a track.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"fill": 0.4, "percent": 40}))]
pub struct Fill {
    /// 0 to 1: how much of it the learner has down (draw it as the filled share).
    #[schema(minimum = 0, maximum = 1)]
    pub fill: f64,
    /// `fill` as a whole percentage, rounded down (100 only when complete).
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i32,
}
