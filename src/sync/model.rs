//! Bodies of the offline sync batch.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::annotations::model::TargetKind;
use crate::error::Problem;
use crate::progress::model::QuestionStatus;
use crate::quiz::model::OfflineAnswer;
use crate::review::model::Rating;
use crate::wire::TopicStatus;

/// One thing the learner did offline, with the device's time of it. Each kind is
/// idempotent: a review by its `review_id`, the rest by last-writer-wins on their time,
/// so a whole batch can be sent again safely.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SyncEvent {
    /// A flashcard review (as `POST /me/reviews`; an older one than the card's newest
    /// is replayed into its history).
    Review {
        review_id: Uuid,
        flashcard_id: Uuid,
        rating: Rating,
        #[serde(with = "time::serde::rfc3339")]
        reviewed_at: OffsetDateTime,
    },
    /// A question mark (as `PUT /me/questions/{id}/status`).
    QuestionMark {
        question_id: Uuid,
        status: QuestionStatus,
        #[serde(with = "time::serde::rfc3339")]
        marked_at: OffsetDateTime,
    },
    /// A topic mark, by topic id.
    TopicMark {
        topic_id: Uuid,
        status: TopicStatus,
        #[serde(with = "time::serde::rfc3339")]
        marked_at: OffsetDateTime,
    },
    /// A note written or edited.
    Note {
        kind: TargetKind,
        id: Uuid,
        body: String,
        #[serde(with = "time::serde::rfc3339")]
        updated_at: OffsetDateTime,
    },
    /// A note deleted. The later of an edit and a delete wins, whichever arrives first.
    NoteDelete {
        kind: TargetKind,
        id: Uuid,
        #[serde(with = "time::serde::rfc3339")]
        deleted_at: OffsetDateTime,
    },
    /// A bookmark set or changed.
    Bookmark {
        kind: TargetKind,
        id: Uuid,
        #[serde(default)]
        #[schema(format = Date)]
        revisit_on: Option<String>,
        #[serde(with = "time::serde::rfc3339")]
        updated_at: OffsetDateTime,
    },
    /// A bookmark removed (the later of a change and a removal wins).
    BookmarkDelete {
        kind: TargetKind,
        id: Uuid,
        #[serde(with = "time::serde::rfc3339")]
        deleted_at: OffsetDateTime,
    },
    /// A practice quiz taken offline from the track's bundle (`GET /tracks/{track}/bundle`),
    /// graded here as an online practice quiz and listed in `GET /me/quizzes` under
    /// `submission_id`. Exams cannot be taken offline: their time limit needs the
    /// server's clock.
    QuizSubmission {
        /// A fresh UUID made by the app; sending it again is a `duplicate`.
        submission_id: Uuid,
        #[serde(with = "time::serde::rfc3339")]
        started_at: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        submitted_at: OffsetDateTime,
        /// 1 to 50 answers, one per item, in the order the items were shown.
        answers: Vec<OfflineAnswer>,
    },
}

/// Up to 500 events recorded offline, in the order they happened.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"events": [
    {"type": "review", "review_id": "0f0e4b8a-1d2c-4e7f-8a1b-6c5d4e3f2a11", "flashcard_id": "0e1f4b8a-9d2c-4e7f-8a1b-6c5d4e3f2a10",
     "rating": "good", "reviewed_at": "2026-12-04T08:15:00Z"},
    {"type": "question_mark", "question_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "status": "got_it",
     "marked_at": "2026-12-04T08:20:00Z"}
]}))]
pub struct SyncBatch {
    /// The events, oldest first. A batch with an event that does not match
    /// `SyncEvent` is refused whole (422, nothing applied).
    #[schema(max_items = 500)]
    pub events: Vec<SyncEvent>,
}

/// What became of one event.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// It changed the learner's state.
    Applied,
    /// It was applied before (the same review id, or the same value at the same time).
    Duplicate,
    /// A later write (from another device) stands; this one changed nothing.
    Superseded,
    /// It could not be applied; `problem` says why. Nothing of it was applied.
    Rejected,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventResult {
    /// The event's position in the batch.
    pub index: usize,
    pub status: EventStatus,
    /// Why it was rejected; null otherwise.
    #[schema(required)]
    pub problem: Option<Problem>,
}

/// One result per event, in the batch's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResults {
    pub results: Vec<EventResult>,
}
