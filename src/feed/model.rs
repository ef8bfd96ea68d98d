//! Bodies of the learner's change feed.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// What changed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum FeedChangeKind {
    /// A question mark (`id`: the question).
    QuestionMark,
    /// A topic mark (`id`: the topic).
    TopicMark,
    /// A flashcard's schedule (`id`: the flashcard).
    Card,
    /// A note (`id`: the topic or question; `target_kind` says which).
    Note,
    /// A bookmark (`id`: the topic or question; `target_kind` says which).
    Bookmark,
    /// A goal (`id`: the track).
    Goal,
}

/// `upsert` (created or changed) or `delete` (a tombstone: drop it locally).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum FeedChangeOp {
    Upsert,
    Delete,
}

/// One change.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "question_mark", "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "target_kind": null, "op": "upsert",
    "changed_at": "2026-12-05T09:00:00Z", "state": {"status": "got_it", "marked_at": "2026-12-05T09:00:00Z"}
}))]
pub struct FeedChange {
    pub kind: FeedChangeKind,
    pub id: Uuid,
    /// `topic` or `question` for notes and bookmarks; null otherwise.
    #[schema(required)]
    pub target_kind: Option<String>,
    pub op: FeedChangeOp,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
    /// The entity as it stands now (not as of this change): a mark's `status` and
    /// `marked_at`; a card's `state`, `due_at`, `stability`, `difficulty`, `reps`,
    /// `lapses`; a note's `body` and `updated_at`; a bookmark's `revisit_on`; a goal's
    /// `interview_date`, `minutes_per_day`, `weekdays`, `electives`. Null for a delete,
    /// or when the entity was deleted since (a delete change follows).
    #[schema(required, value_type = Option<Object>)]
    pub state: Option<Value>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"changes": [], "next_cursor": "MTIzNDo1Ng", "has_more": false}))]
pub struct FeedPage {
    /// In commit-safe order: apply them in this order.
    pub changes: Vec<FeedChange>,
    /// Pass as `since` for the next call. Always set, also for an empty page.
    pub next_cursor: String,
    /// More changes are ready now: call again at once.
    pub has_more: bool,
}

/// One content change: re-fetch the entity by id (or drop it locally when `retired`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"kind": "question", "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "op": "updated",
                           "changed_at": "2026-12-05T09:00:00Z"}))]
pub struct ContentChange {
    /// `track`, `stage`, `topic`, `placement` (a topic's place on the track; `id` is the
    /// topic), `question`, `flashcard`, `quiz_item` or `article`.
    pub kind: String,
    pub id: Uuid,
    /// `created`, `updated`, `retired` or `restored`.
    pub op: String,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

/// A page of a track's content changes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"changes": [], "next_cursor": "MTIzNDo1Ng", "has_more": false}))]
pub struct ContentFeedPage {
    /// In commit-safe order.
    pub changes: Vec<ContentChange>,
    /// Pass as `since` next time; always set.
    pub next_cursor: String,
    /// More changes are ready now.
    pub has_more: bool,
}
