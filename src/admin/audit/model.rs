//! The audit log's types: what an entry is about, the action, an entry and a page,
//! and the before/after diff stored with each write.

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// What an audit entry is about: one content entity of a kind, or a whole `bundle`
/// import.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AuditKind {
    Track,
    Topic,
    Question,
    Flashcard,
    QuizItem,
    Article,
    Bundle,
    /// A webhook endpoint.
    Webhook,
    /// A change set of drafts.
    Changeset,
    /// A preview token (issued or revoked).
    PreviewToken,
    /// A scoped API token (issued or revoked).
    ApiToken,
}

impl AuditKind {
    #[cfg(test)]
    const ALL: [AuditKind; 11] = [
        AuditKind::Track,
        AuditKind::Topic,
        AuditKind::Question,
        AuditKind::Flashcard,
        AuditKind::QuizItem,
        AuditKind::Article,
        AuditKind::Bundle,
        AuditKind::Webhook,
        AuditKind::Changeset,
        AuditKind::PreviewToken,
        AuditKind::ApiToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Track => "track",
            AuditKind::Topic => "topic",
            AuditKind::Question => "question",
            AuditKind::Flashcard => "flashcard",
            AuditKind::QuizItem => "quiz_item",
            AuditKind::Article => "article",
            AuditKind::Bundle => "bundle",
            AuditKind::Webhook => "webhook",
            AuditKind::Changeset => "changeset",
            AuditKind::PreviewToken => "preview_token",
            AuditKind::ApiToken => "api_token",
        }
    }
}

/// In messages: "no question ...", "the topic is retired".
impl std::fmt::Display for AuditKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an admin did.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Retire,
    Restore,
    Import,
    Delete,
    /// A webhook secret rotated.
    Rotate,
    /// Disabled by the server (an endpoint that kept failing).
    Disable,
    /// A draft written (created or changed).
    Draft,
    /// A draft or change set thrown away.
    Discard,
    /// A change set submitted for review.
    Submit,
    Approve,
    Publish,
    /// A change set's publish time set or changed.
    Schedule,
    Unschedule,
    /// A token issued.
    Issue,
    /// A token revoked.
    Revoke,
    /// A scheduled publish that could not go ahead (no actor: the scheduler).
    Fail,
}

impl AuditAction {
    #[cfg(test)]
    const ALL: [AuditAction; 18] = [
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Retire,
        AuditAction::Restore,
        AuditAction::Import,
        AuditAction::Delete,
        AuditAction::Rotate,
        AuditAction::Disable,
        AuditAction::Draft,
        AuditAction::Discard,
        AuditAction::Submit,
        AuditAction::Approve,
        AuditAction::Publish,
        AuditAction::Schedule,
        AuditAction::Unschedule,
        AuditAction::Issue,
        AuditAction::Revoke,
        AuditAction::Fail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Retire => "retire",
            AuditAction::Restore => "restore",
            AuditAction::Import => "import",
            AuditAction::Delete => "delete",
            AuditAction::Rotate => "rotate",
            AuditAction::Disable => "disable",
            AuditAction::Draft => "draft",
            AuditAction::Discard => "discard",
            AuditAction::Submit => "submit",
            AuditAction::Approve => "approve",
            AuditAction::Publish => "publish",
            AuditAction::Schedule => "schedule",
            AuditAction::Unschedule => "unschedule",
            AuditAction::Issue => "issue",
            AuditAction::Revoke => "revoke",
            AuditAction::Fail => "fail",
        }
    }
}

/// A compact diff: for every top-level field that changed, `{before, after}`.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut out = Map::new();
    for key in b.keys().chain(a.keys()) {
        if out.contains_key(key) {
            continue;
        }
        let (old, new) = (b.get(key), a.get(key));
        if old != new {
            out.insert(key.clone(), serde_json::json!({"before": old, "after": new}));
        }
    }
    Value::Object(out)
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "actor_id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "actor_email": "admin@example.com",
    "at": "2026-11-24T12:00:00Z", "kind": "question", "entity_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11",
    "entity": "fundamentals/plus-equals-vs-plus", "action": "update",
    "diff": {"title": {"before": "Old title", "after": "New title"}}, "client_address": "203.0.113.7",
    "token_id": null, "token_name": null
}))]
pub struct AuditEntry {
    pub id: i64,
    /// The admin who wrote; null once that account is deleted (`actor_email` stays).
    #[schema(required)]
    pub actor_id: Option<Uuid>,
    pub actor_email: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: AuditKind,
    /// The entity written; null for a bundle import, which touches many.
    #[schema(required)]
    pub entity_id: Option<Uuid>,
    /// Slug path of the entity (`topic/question` for children).
    pub entity: String,
    pub action: AuditAction,
    #[schema(value_type = Object)]
    pub diff: sqlx::types::Json<Value>,
    /// The address the write came from (by the server's client-address rule); null
    /// for writes made before it was recorded.
    #[schema(required)]
    pub client_address: Option<String>,
    /// The API token the write came with (null for a login session): scripts are
    /// named as actors, not only the person who made their token.
    #[schema(required)]
    pub token_id: Option<Uuid>,
    /// That token's name when the write was made.
    #[schema(required)]
    pub token_name: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": 42, "actor_id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "actor_email": "admin@example.com",
        "at": "2026-11-24T12:00:00Z", "kind": "question", "entity_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11",
        "entity": "fundamentals/plus-equals-vs-plus", "action": "update",
        "diff": {"title": {"before": "Old title", "after": "New title"}}, "client_address": "203.0.113.7",
        "token_id": null, "token_name": null
    }],
    "next_cursor": "NDI"
}))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_and_actions_are_stored_as_they_serialise() {
        // What `as_str` writes is what the sqlx `Type` (snake_case) reads back and
        // what the API shows; the HTTP audit tests read entries back through it.
        for kind in AuditKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for action in AuditAction::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
    }

    #[test]
    fn diff_lists_only_changed_fields() {
        let d = diff(Some(&json!({"a": 1, "b": 2})), Some(&json!({"a": 1, "b": 3, "c": 4})));
        assert_eq!(d, json!({"b": {"before": 2, "after": 3}, "c": {"before": null, "after": 4}}));
        assert_eq!(diff(Some(&json!({"a": 1})), Some(&json!({"a": 1}))), json!({}));
    }
}
