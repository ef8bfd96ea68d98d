//! The body of a track's offline copy.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalog::model::{Flashcard, QuestionDetail, Roadmap, TopicDetail};
use crate::quiz::model::QuizItemKind;

/// A quiz item for offline practice, without its answer or explanation: the app
/// collects the learner's choices and sends them as a `quiz_submission` event to
/// `POST /me/sync`, which grades them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "3a1c4b8a-1d2c-4e7f-8a1b-6c5d4e3f2a12", "kind": "predict_output", "prompt": "What does this print?",
    "code": "a = [1]\nb = a\na += [2]\nprint(b)", "options": ["[1, 2]", "[1]", "TypeError", "[2]"],
    "question_id": null
}))]
pub struct OfflineQuizItem {
    pub id: Uuid,
    pub kind: QuizItemKind,
    /// Markdown.
    pub prompt: String,
    /// The snippet of a `predict_output` item; null for the other kinds.
    #[schema(required)]
    pub code: Option<String>,
    /// In authored order; a submission's `selected` indexes into this list. Shuffle
    /// them for display if you like, but map the learner's choice back.
    pub options: Vec<String>,
    /// The question it checks, if any.
    #[schema(required)]
    pub question_id: Option<Uuid>,
}

/// One topic of the bundle: the topic as `GET /tracks/{track}/topics/{topic}` gives it,
/// with every question's full answer, its flashcards and its quiz items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BundleTopic {
    pub topic: TopicDetail,
    /// Each as `GET /questions/{id}` gives it, in the order of `topic.questions`.
    pub questions: Vec<QuestionDetail>,
    /// As `GET /tracks/{track}/topics/{topic}/flashcards` gives them.
    pub flashcards: Vec<Flashcard>,
    pub quiz_items: Vec<OfflineQuizItem>,
}

/// A whole track for studying offline.
///
/// Keep `changes_cursor` and poll `GET /tracks/{track}/changes?since=` with it to keep
/// the copy current: every content change made after the copy was taken is listed
/// there (a few from just before may be listed too; applying them again is harmless).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "format": 1, "generated_at": "2026-12-06T09:00:00Z", "changes_cursor": "MTIzNDo1Ng",
    "roadmap": {"id": "0e1f4b8a-9d2c-4e7f-8a1b-6c5d4e3f2a10", "slug": "python", "title": "Python",
                "summary": "A path through the Python an interviewer expects.", "stages": [], "electives": [],
                "counts": {"topics": 0, "electives": 0, "questions": 0, "flashcards": 0, "quiz_items": 0}},
    "topics": []
}))]
pub struct TrackBundle {
    /// The layout of this document; a change that would break a reader gets a new number.
    pub format: u32,
    /// When the copy was taken.
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// Pass as `since` to `GET /tracks/{track}/changes`.
    pub changes_cursor: String,
    /// As `GET /tracks/{track}/roadmap` gives it without a token.
    pub roadmap: Roadmap,
    /// Every topic on the roadmap (stages in order, then electives).
    pub topics: Vec<BundleTopic>,
}
