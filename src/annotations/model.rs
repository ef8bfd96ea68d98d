//! Request and response bodies of notes and bookmarks.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a note or bookmark is on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum TargetKind {
    Topic,
    Question,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Topic => "topic",
            TargetKind::Question => "question",
        }
    }
}

/// Write a note (Markdown, up to 20,000 characters). Between devices the edit with the
/// later `updated_at` wins whatever order they arrive in; an older one is answered
/// with the note that stands and `applied: false`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "Remember: `is` compares identity.", "updated_at": "2026-12-05T09:00:00Z"}))]
pub struct SetNote {
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// When the learner wrote it (device clock); defaults to the server's time; at
    /// most 5 minutes ahead.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

/// A note and what it is on.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "question", "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "title": "What is the difference between `is` and `==`?",
    "body": "Remember: `is` compares identity.", "updated_at": "2026-12-05T09:00:00Z", "retired": false
}))]
pub struct Note {
    pub kind: TargetKind,
    /// The topic's or question's id.
    pub id: Uuid,
    /// The topic's or question's title.
    pub title: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The topic or question has been retired (the note is kept).
    pub retired: bool,
}

/// The note that stands after a PUT.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteWritten {
    #[serde(flatten)]
    pub note: Note,
    /// False when this write was older than the stored note (or changed nothing).
    pub applied: bool,
}

/// Bookmark a topic or question, optionally to revisit on a day.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"revisit_on": "2026-12-12"}))]
pub struct SetBookmark {
    /// The day to revisit it (YYYY-MM-DD, the learner's calendar); null for none.
    #[schema(format = Date)]
    #[serde(default)]
    pub revisit_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "topic", "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "title": "Fundamentals", "revisit_on": "2026-12-12",
    "due": false, "updated_at": "2026-12-05T09:00:00Z", "retired": false
}))]
pub struct Bookmark {
    pub kind: TargetKind,
    pub id: Uuid,
    pub title: String,
    #[schema(required, format = Date)]
    pub revisit_on: Option<String>,
    /// `revisit_on` is today or earlier in the account's time zone.
    pub due: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub retired: bool,
}

/// Every note of the learner, most recently edited first (at most 1,000 per learner,
/// so one page holds them all).
#[derive(Debug, Serialize, ToSchema)]
pub struct Notes {
    pub items: Vec<Note>,
    /// Always null: every note fits on one page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// Every bookmark: those due to revisit first (oldest date first), then the rest, most
/// recent first (at most 1,000 per learner).
#[derive(Debug, Serialize, ToSchema)]
pub struct Bookmarks {
    pub items: Vec<Bookmark>,
    /// Always null: every bookmark fits on one page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}
