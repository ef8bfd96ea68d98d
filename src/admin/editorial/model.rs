//! The editorial workflow's shapes: drafts, change sets, revisions and preview tokens
//! as admins and editors read and write them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::admin::content::model::{ContentKind, RevisionClass};

/// One thing wrong with a draft, found by the same validation publishing runs.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct DraftProblem {
    /// The field or seed entry the problem is about.
    pub field: String,
    pub problem: String,
}

/// A draft: the next version of one entity (or of a new one), invisible to learners
/// until its change set is published.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "questions", "key": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11",
    "is_new": false, "retire": false, "revision": "minor", "changeset_id": null, "version": 2,
    "doc": {"topic": "fundamentals", "slug": "is-vs-equality", "title": "`is` versus `==`", "difficulty": "junior",
            "tags": [], "prompt": "When does `a is b` differ from `a == b`?", "answer": "…"},
    "author_id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "updated_at": "2026-12-06T09:00:00Z",
    "problems": [], "publishable": true
}))]
pub struct Draft {
    pub kind: ContentKind,
    /// What the entity's URLs use: its slug (tracks, topics, articles) or its id.
    pub key: String,
    /// The entity's id; for content that exists only as a draft, the id it will be
    /// published with (preview links use it already).
    pub id: Uuid,
    /// Whether the entity exists only as this draft.
    pub is_new: bool,
    /// Whether publishing retires the entity (takes it out of every public read, as
    /// `POST /admin/content/{kind}/{key}/retire` does) instead of changing it; `doc` is
    /// then the published document, for reference.
    pub retire: bool,
    /// The draft's document, in the seed-file shape of its kind; may be incomplete.
    #[schema(value_type = Object)]
    pub doc: Value,
    pub revision: RevisionClass,
    #[schema(required)]
    pub changeset_id: Option<Uuid>,
    /// Bumped by every write; the draft's `ETag` is made from it.
    pub version: i32,
    #[schema(required)]
    pub author_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// What stops the draft from publishing now (empty when it would publish). Checked
    /// against the published content plus the other drafts of its change set.
    pub problems: Vec<DraftProblem>,
    pub publishable: bool,
}

/// A draft's document: the entity's document in the seed-file shape of its kind
/// (`ContentDoc`), possibly incomplete; what is missing shows in the draft's `problems`.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object, example = json!({"topic": "fundamentals", "slug": "walrus-operator", "title": "What does `:=` do?"}))]
pub struct DraftDoc(pub Value);

/// A page of drafts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftList {
    pub items: Vec<Draft>,
}

/// Where a change set stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ChangesetState {
    /// Being edited.
    Open,
    /// Waiting for review.
    Submitted,
    /// Approved; publishes when an admin says so or at `publish_at`. Any change to its
    /// drafts sends it back to `open`.
    Approved,
    /// Live; kept for history.
    Published,
    /// A scheduled publish could not go ahead (`failure` says why); editable again.
    Failed,
}

/// One draft of a change set, with what it changes against the published content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesetItem {
    pub kind: ContentKind,
    pub key: String,
    pub id: Uuid,
    pub is_new: bool,
    /// Publishing retires the entity; `diff` is then `{"retired": {before, after}}`.
    pub retire: bool,
    pub revision: RevisionClass,
    /// For every top-level field that differs from the published entity,
    /// `{before, after}` (`before` is null for new content).
    #[schema(value_type = Object)]
    pub diff: Value,
    pub problems: Vec<DraftProblem>,
}

/// A group of drafts reviewed and published together, at once or at `publish_at`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0d1d3c52-3f0e-4a55-9a8e-6f4b1f2c9e10", "title": "Week 49: generators rewrite", "state": "approved",
    "author_id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "author_email": "editor@example.com",
    "requires_approval": true, "approved_by": "7a1c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a22",
    "approved_at": "2026-12-06T10:00:00Z", "publish_at": "2026-12-07T09:00:00Z", "published_at": null,
    "failure": null, "created_at": "2026-12-06T08:00:00Z", "updated_at": "2026-12-06T10:00:00Z", "items": []
}))]
pub struct Changeset {
    pub id: Uuid,
    pub title: String,
    pub state: ChangesetState,
    #[schema(required)]
    pub author_id: Option<Uuid>,
    pub author_email: String,
    /// Whether an admin other than the author (and other than anyone who wrote one of
    /// its drafts) must approve it before it publishes.
    pub requires_approval: bool,
    #[schema(required)]
    pub approved_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub approved_at: Option<OffsetDateTime>,
    /// When the scheduler publishes it (if still approved then).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub publish_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub published_at: Option<OffsetDateTime>,
    /// Why the last scheduled publish failed: `{at, reason, problems}`.
    #[schema(value_type = Option<Object>, required)]
    pub failure: Option<Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Its drafts (empty once published: they became revisions).
    pub items: Vec<ChangesetItem>,
}

/// Change sets, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesetList {
    pub items: Vec<Changeset>,
}

/// A new change set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Week 49: generators rewrite"}))]
pub struct NewChangeset {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Default: the server's `STUDYTRACK_REQUIRE_APPROVAL`. `false` is refused while
    /// the server requires approval, and for editors (they cannot publish).
    pub requires_approval: Option<bool>,
}

/// When to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"publish_at": "2026-12-07T09:00:00Z"}))]
pub struct Schedule {
    /// A time in the future (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub publish_at: OffsetDateTime,
}

/// What went wrong with one item when a change set could not publish.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemProblems {
    pub kind: ContentKind,
    pub key: String,
    pub problems: Vec<DraftProblem>,
}

/// One published revision of an entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    /// 1 for the oldest kept.
    pub number: i32,
    pub class: RevisionClass,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    #[schema(required)]
    pub author_id: Option<Uuid>,
    /// Who wrote it (`seed` for the content before its first recorded edit).
    #[schema(required)]
    pub author_email: Option<String>,
    /// The API token it was published with, if any.
    #[schema(required)]
    pub token_id: Option<Uuid>,
    #[schema(required)]
    pub changeset_id: Option<Uuid>,
    /// Against the revision before it.
    #[schema(value_type = Object)]
    pub diff: Value,
    /// The whole document as published.
    #[schema(value_type = Object)]
    pub doc: Value,
}

/// An entity's revisions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<Revision>,
}

/// What a preview token shows: a change set's drafts, or one draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"changeset_id": "0d1d3c52-3f0e-4a55-9a8e-6f4b1f2c9e10", "expires_in_seconds": 86400}))]
pub struct NewPreviewToken {
    pub changeset_id: Option<Uuid>,
    /// With `key`: one draft instead of a change set.
    pub kind: Option<ContentKind>,
    pub key: Option<String>,
    /// Lifetime, 60 s to 7 days; default one day.
    #[schema(minimum = 60, maximum = 604800)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub expires_in_seconds: Option<i64>,
}

/// A preview token as listed (the secret is shown only when issued).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewToken {
    pub id: Uuid,
    #[schema(required)]
    pub changeset_id: Option<Uuid>,
    #[schema(required)]
    pub kind: Option<String>,
    #[schema(required)]
    pub entity_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A new preview token: pass `token` to the public reads as `?preview=` or in the
/// `Preview-Token` header. Shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedPreviewToken {
    #[serde(flatten)]
    pub info: PreviewToken,
    pub token: String,
}

/// Preview tokens, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewTokenList {
    pub items: Vec<PreviewToken>,
}

/// The kind's name in URLs and storage (`quiz-items`).
pub fn kind_name(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Tracks => "tracks",
        ContentKind::Topics => "topics",
        ContentKind::Questions => "questions",
        ContentKind::Flashcards => "flashcards",
        ContentKind::QuizItems => "quiz-items",
        ContentKind::Articles => "articles",
    }
}

pub fn parse_kind(name: &str) -> Option<ContentKind> {
    serde_json::from_value(Value::String(name.to_owned())).ok()
}

/// The order drafts are applied in: what others refer to goes first (topics before
/// their children and before tracks placing them; questions before the flashcards
/// and quiz items linking them).
pub fn apply_rank(kind: ContentKind) -> u8 {
    match kind {
        ContentKind::Topics => 0,
        ContentKind::Questions => 1,
        ContentKind::Flashcards => 2,
        ContentKind::QuizItems => 3,
        ContentKind::Tracks => 4,
        ContentKind::Articles => 5,
    }
}
