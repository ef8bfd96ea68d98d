//! Request and response bodies of the progress endpoints.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalog::model::{QuestionSummary, SlugRef};
pub use crate::wire::{Fill, QuestionCounts, QuizStats, TopicProgress, TopicStatus, Verification};

/// How well the learner has a question down: `new` (not studied yet), `learning`
/// (studied, not yet solid), `got_it` (can answer it cold). Counts as 0, 0.5 and 1
/// towards the topic's fill.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum QuestionStatus {
    New,
    Learning,
    GotIt,
}

impl QuestionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionStatus::New => "new",
            QuestionStatus::Learning => "learning",
            QuestionStatus::GotIt => "got_it",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "new" => Some(QuestionStatus::New),
            "learning" => Some(QuestionStatus::Learning),
            "got_it" => Some(QuestionStatus::GotIt),
            _ => None,
        }
    }
}

/// Mark a question. Sending the same body twice is one change. Between devices the
/// mark with the later `marked_at` wins, whatever order the writes arrive in: an older
/// write is ignored and the response shows the mark that stands. A repeat of the
/// standing status without `marked_at` keeps the standing time; one with a later
/// `marked_at` moves it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "got_it", "marked_at": "2026-11-24T12:00:00Z"}))]
pub struct SetQuestionStatus {
    pub status: QuestionStatus,
    /// When the learner made the mark (device clock). Defaults to the server's time;
    /// at most 5 minutes in the future.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub marked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done"}))]
pub struct SetTopicStatus {
    pub status: TopicStatus,
    /// As for questions: the last-writer-wins key. Defaults to the server's time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub marked_at: Option<OffsetDateTime>,
}

/// The mark that stands after a PUT.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "question_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "status": "got_it",
    "marked_at": "2026-11-24T12:00:00Z", "applied": true
}))]
pub struct QuestionMark {
    pub question_id: Uuid,
    pub status: QuestionStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub marked_at: OffsetDateTime,
    /// False when this write was older than the stored mark (or changed nothing).
    pub applied: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "topic_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "topic": "fundamentals", "status": "done",
    "marked_at": "2026-11-24T12:00:00Z", "applied": true
}))]
pub struct TopicMark {
    pub topic_id: Uuid,
    pub topic: String,
    pub status: TopicStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub marked_at: OffsetDateTime,
    pub applied: bool,
}

/// One topic of the filled-in roadmap.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "title": "Fundamentals",
    "elective": false, "progress": {
            "status": "learning", "marked": false, "questions": {"total": 12, "got_it": 5, "learning": 3},
            "quiz": {"answered": 10, "best_accuracy": 0.8, "recent_accuracy": 0.7},
            "flashcards_due": 2, "flashcards_overdue": 0, "overconfident_questions": 0,
            "fill": 0.5416, "percent": 54, "counts_toward_track": true,
            "verification": {"questions": 12, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                             "decaying": 0, "content_changed": 0, "claimed_share": 0.4167, "verified_share": 0.25}
        }
}))]
pub struct TopicProgressEntry {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// Outside the critical path (listed under `electives`).
    pub elective: bool,
    pub progress: TopicProgress,
}

/// One stage of the filled-in roadmap: its fill (the mean of its core topics) and
/// its topics in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageProgress {
    /// URL key of the stage.
    pub slug: String,
    /// Display name.
    pub title: String,
    #[serde(flatten)]
    pub fill: Fill,
    /// Claimed beside verified over the stage's core topics.
    pub verification: Verification,
    /// Core topics of the stage in walking order.
    pub topics: Vec<TopicProgressEntry>,
}

/// Totals over the track.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({"questions_total": 190, "questions_got_it": 40, "topics_total": 14, "topics_done": 3}))]
pub struct ProgressTotals {
    pub questions_total: i64,
    pub questions_got_it: i64,
    /// Core topics.
    pub topics_total: i64,
    /// Core topics at 100%.
    pub topics_done: i64,
}

/// The learner's filled-in roadmap: the track's fill, each stage's fill with its
/// topics in order, the electives, and totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "track": {"slug": "python", "title": "Python"}, "fill": 0.0387, "percent": 3,
    "stages": [{
        "slug": "foundations", "title": "Foundations", "fill": 0.1354, "percent": 13,
        "verification": {"questions": 40, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                         "decaying": 0, "content_changed": 0, "claimed_share": 0.125, "verified_share": 0.075},
        "topics": [{
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "title": "Fundamentals",
            "elective": false, "progress": {
            "status": "learning", "marked": false, "questions": {"total": 12, "got_it": 5, "learning": 3},
            "quiz": {"answered": 10, "best_accuracy": 0.8, "recent_accuracy": 0.7},
            "flashcards_due": 2, "flashcards_overdue": 0, "overconfident_questions": 0,
            "fill": 0.5416, "percent": 54, "counts_toward_track": true,
            "verification": {"questions": 12, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                             "decaying": 0, "content_changed": 0, "claimed_share": 0.4167, "verified_share": 0.25}
        }
        }]
    }],
    "electives": [],
    "totals": {"questions_total": 192, "questions_got_it": 5, "topics_total": 14, "topics_done": 0},
    "verification": {"questions": 192, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                     "decaying": 0, "content_changed": 0, "claimed_share": 0.026, "verified_share": 0.0156},
    "calibration": {"tested": 2, "held": 1, "rate": 0.5}
}))]
pub struct TrackProgress {
    /// The track.
    pub track: SlugRef,
    #[serde(flatten)]
    pub fill: Fill,
    /// Stages in walking order, each with its fill and topics.
    pub stages: Vec<StageProgress>,
    /// Elective topics in suggested order.
    pub electives: Vec<TopicProgressEntry>,
    /// Counts over the whole track.
    pub totals: ProgressTotals,
    /// Claimed beside verified over the core topics and the electives that count.
    pub verification: Verification,
    pub calibration: Calibration,
}

/// How well the learner's got-it claims hold up on this track: each claim is tested by
/// the first evidence on the question after it (a quiz item, a self-graded cold answer
/// or a flashcard review; see `Verification` for what passes), and `rate` is the share
/// of tested claims whose test was a pass. 1 means every claim held; a low rate says
/// "check yourself before marking got-it".
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"tested": 12, "held": 9, "rate": 0.75}))]
pub struct Calibration {
    /// Claims with evidence after them.
    pub tested: i64,
    /// Of those, claims whose first evidence was a pass.
    pub held: i64,
    /// `held / tested` (0 to 1); null until a claim has been tested.
    #[schema(required, minimum = 0, maximum = 1)]
    pub rate: Option<f64>,
}

/// Why a topic is recommended.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NextReason {
    /// The first core topic in order that is not finished, and not started yet.
    NextInOrder,
    /// The first core topic in order that is not finished, already under way.
    ContinueInProgress,
    /// Every core topic is finished; this is the first unfinished elective.
    CoreComplete,
    /// Nothing left: every topic is finished or skipped.
    TrackComplete,
}

/// The recommended topic with the learner's progress in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextTopic {
    /// Topic id.
    pub id: Uuid,
    /// URL key within the track.
    pub slug: String,
    /// Display name.
    pub title: String,
    /// The stage holding it; null for an elective.
    #[schema(required)]
    pub stage: Option<SlugRef>,
    /// Outside the critical path.
    pub elective: bool,
    pub progress: TopicProgress,
}

/// What to study now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "topic": null, "reason_code": "track_complete",
    "reason": "Every topic on the track is finished or skipped.", "questions": [], "also_in_progress": [],
    "probes": []
}))]
pub struct NextUp {
    /// Null when the track is complete.
    #[schema(required)]
    pub topic: Option<NextTopic>,
    pub reason_code: NextReason,
    /// The reason in a sentence, for display.
    pub reason: String,
    /// Up to three questions of the topic not yet got-it, in study order.
    pub questions: Vec<QuestionSummary>,
    /// Electives the learner chose (marked `learning`) and has not finished.
    pub also_in_progress: Vec<SlugRef>,
    /// Up to three verification probes from the whole track, in path order.
    pub probes: Vec<ProbeSuggestion>,
}

/// Why a question is queued as a verification probe.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProbeCode {
    /// Marked got-it, no evidence in the last 90 days.
    ClaimedUnproven,
    /// Passed, but predicted recall is now under 80%.
    ProvenButDecaying,
    /// Had down before a major revision of its answer, rubric or quiz item.
    ContentChanged,
}

/// How to take a probe: `quiz_item` (start a practice quiz on the question's topic;
/// probe items are drawn first) or `cold_answer` (start a mock interview on the topic;
/// probe questions are drawn first). A question with a quiz item is probed by it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProbeHow {
    QuizItem,
    ColdAnswer,
}

/// One short check of a question the learner claimed or proved earlier.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "question": {"id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus",
                 "title": "Why do `a = a + [1]` and `a += [1]` differ?", "difficulty": "mid",
                 "tags": ["mutability"], "topic": {"slug": "fundamentals", "title": "Fundamentals"}},
    "reason_code": "claimed_unproven", "reason": "You marked it got-it; nothing in the last 90 days backs that up.",
    "how": "quiz_item"
}))]
pub struct ProbeSuggestion {
    pub question: QuestionSummary,
    pub reason_code: ProbeCode,
    /// The reason in a sentence, for display.
    pub reason: String,
    pub how: ProbeHow,
}

/// A machine-readable reason a topic is weak.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SoftSpotCode {
    /// An earlier-stage core topic is unfinished while a later stage is being worked.
    OutOfOrder,
    /// Marked done, but some of its questions are not got-it.
    DoneWithOpenQuestions,
    /// Quiz accuracy in the topic is below 60%.
    LowQuizAccuracy,
    /// Claimed but failed: questions marked got-it whose latest evidence since the mark
    /// (a quiz item, a self-graded cold answer, a flashcard review) is a fail.
    Overconfidence,
    /// Flashcards of the topic are overdue for review.
    OverdueFlashcards,
    /// Claimed but unproven: questions marked got-it with no evidence in the last 90 days.
    ClaimedUnproven,
    /// Proven but decaying: questions passed whose predicted recall is now under 80%.
    ProvenButDecaying,
    /// Questions the learner had down whose answer, rubric or quiz item has since had a
    /// major revision, with no evidence since.
    ContentChanged,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "out_of_order", "message": "Unfinished while you work on the later stage \"Advanced & Tooling\"."}))]
pub struct SoftSpotReason {
    pub code: SoftSpotCode,
    pub message: String,
}

/// A weak topic and why it is weak.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SoftSpot {
    /// The weak topic.
    pub topic: SlugRef,
    /// The stage holding it; null for an elective.
    #[schema(required)]
    pub stage: Option<SlugRef>,
    /// Higher is weaker; the list is sorted by it, then by roadmap order.
    pub score: i32,
    pub progress: TopicProgress,
    /// Why it is weak, strongest reason first; show `message` to the learner.
    pub reasons: Vec<SoftSpotReason>,
}

/// The track's weak topics, weakest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "topic": {"slug": "fundamentals", "title": "Fundamentals"},
        "stage": {"slug": "foundations", "title": "Foundations"},
        "score": 3,
        "progress": {
            "status": "learning", "marked": false, "questions": {"total": 12, "got_it": 5, "learning": 3},
            "quiz": {"answered": 10, "best_accuracy": 0.8, "recent_accuracy": 0.7},
            "flashcards_due": 2, "flashcards_overdue": 0, "overconfident_questions": 0,
            "fill": 0.5416, "percent": 54, "counts_toward_track": true,
            "verification": {"questions": 12, "claimed": 5, "verified": 3, "claimed_unproven": 1, "claimed_failed": 1,
                             "decaying": 0, "content_changed": 0, "claimed_share": 0.4167, "verified_share": 0.25}
        },
        "reasons": [{"code": "out_of_order", "message": "Unfinished while you work on the later stage \"Advanced & Tooling\"."}]
    }],
    "next_cursor": null
}))]
pub struct SoftSpots {
    pub items: Vec<SoftSpot>,
    /// Always null: every soft spot of a track fits on one page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-11-24", "count": 7}))]
pub struct ActivityDay {
    /// YYYY-MM-DD in the learner's time zone.
    #[schema(format = Date)]
    pub date: String,
    pub count: i64,
}

/// Activity per day, for a heatmap, and streaks.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "timezone": "Europe/Berlin", "from": "2025-11-25", "to": "2026-11-24",
    "days": [{"date": "2026-11-23", "count": 4}, {"date": "2026-11-24", "count": 7}],
    "total": 11, "current_streak": 2, "longest_streak": 5
}))]
pub struct Activity {
    /// The account's time zone, which days are counted in.
    pub timezone: String,
    /// First day of the range (YYYY-MM-DD).
    #[schema(format = Date)]
    pub from: String,
    /// Last day of the range (YYYY-MM-DD).
    #[schema(format = Date)]
    pub to: String,
    /// Days with activity in the range, oldest first (days without are omitted).
    pub days: Vec<ActivityDay>,
    pub total: i64,
    /// Consecutive active days up to today (or yesterday: today is not over yet).
    pub current_streak: i64,
    /// Longest run of consecutive active days ever.
    pub longest_streak: i64,
}
