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
    "flashcards_due": 0, "flashcards_overdue": 0, "overconfident_questions": 0, "fill": 0.5416, "percent": 54, "counts_toward_track": true,
    "verification": {"questions": 12, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                     "decaying": 0, "content_changed": 0, "claimed_share": 0.4167, "verified_share": 0.25}
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
    /// Questions claimed (marked got-it) whose latest evidence since the claim is a
    /// fail: the same figure as `verification.claimed_failed`.
    pub overconfident_questions: i64,
    /// 0 to 1; see the fill rule in the operation's description.
    pub fill: f64,
    /// `fill` as a whole percentage, rounded down (100 only when complete).
    pub percent: i32,
    /// Core topics always count; an elective counts once started, never when skipped.
    pub counts_toward_track: bool,
    /// What the learner claimed beside what evidence shows, over the topic's questions.
    pub verification: Verification,
}

/// Claimed progress beside verified progress, over the live questions of a topic,
/// a stage (its core topics) or a track (core topics and started electives).
///
/// A question is **claimed** when the learner marked it got-it, or marked its topic
/// done. It is **verified** when its latest evidence from the last 90 days is a pass
/// and the learner's predicted recall of it is still at least 80%. Evidence is a quiz
/// item on the question (pass: answered correctly), a self-graded cold answer in a mock
/// interview (pass: at least 70% of the rubric points; a skip is a fail) or a review of
/// a flashcard on the question (pass: anything but `again`). Predicted recall is FSRS
/// retrievability since the latest pass, from the stability of the question's own
/// schedule (or its flashcards'); without either, a pass holds for the 90 days.
/// Evidence from before a major revision of the question (or of the quiz item) does
/// not count.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"questions": 12, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                           "decaying": 0, "content_changed": 0, "claimed_share": 0.4167, "verified_share": 0.25}))]
pub struct Verification {
    /// Live questions counted.
    pub questions: i64,
    /// Questions the learner says they have down.
    pub claimed: i64,
    /// Questions recent evidence supports (claimed or not).
    pub verified: i64,
    /// Claimed, with no evidence in the last 90 days (or none since the claim after a
    /// fail): "claimed but unproven". Each is queued as a probe in next-up.
    pub claimed_unproven: i64,
    /// Claimed, and the latest evidence since the claim is a fail: "claimed but failed".
    pub claimed_failed: i64,
    /// Passed, but predicted recall has fallen under 80%: "proven but decaying".
    pub decaying: i64,
    /// Claimed or proven before a major revision of its answer, rubric or quiz item,
    /// and not proven since: `content_changed`.
    pub content_changed: i64,
    /// `claimed / questions` (0 to 1; 0 without questions).
    #[schema(minimum = 0, maximum = 1)]
    pub claimed_share: f64,
    /// `verified / questions` (0 to 1; 0 without questions).
    #[schema(minimum = 0, maximum = 1)]
    pub verified_share: f64,
}

impl Verification {
    /// Adds another topic's counts (for a stage or a track); the shares are recomputed.
    pub fn add(&mut self, other: &Verification) {
        self.questions += other.questions;
        self.claimed += other.claimed;
        self.verified += other.verified;
        self.claimed_unproven += other.claimed_unproven;
        self.claimed_failed += other.claimed_failed;
        self.decaying += other.decaying;
        self.content_changed += other.content_changed;
        self.reshare();
    }

    /// Sets the shares from the counts, to four decimals.
    pub fn reshare(&mut self) {
        let share = |n: i64| {
            if self.questions == 0 { 0.0 } else { (n as f64 / self.questions as f64 * 10_000.0).round() / 10_000.0 }
        };
        self.claimed_share = share(self.claimed);
        self.verified_share = share(self.verified);
    }
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
