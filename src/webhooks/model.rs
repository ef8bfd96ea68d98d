//! Bodies of the webhook admin API and of the calls receivers get.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A subscribed URL.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "5b0f9c1e-2d3a-4c5b-8e7f-9a0b1c2d3e4f", "url": "https://front.example.com/hooks/studytrack",
    "description": "Rebuild the static site", "events": ["content.published", "content.retired"], "enabled": true,
    "disabled_reason": null, "previous_secret_until": null,
    "created_at": "2026-12-06T09:00:00Z", "updated_at": "2026-12-06T09:00:00Z"
}))]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    /// Event types delivered to it; `*` for every type.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Set when the server disabled it after repeated failures; null otherwise.
    #[schema(required)]
    pub disabled_reason: Option<String>,
    /// Until then calls are signed with the previous secret as well (after a rotation).
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub previous_secret_until: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// An endpoint with its signing secret, shown only when the secret is made.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// `whsec_` and base64: give it to the receiver's Standard Webhooks library. It is
    /// not shown again (rotate to get a new one).
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub items: Vec<Endpoint>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://front.example.com/hooks/studytrack", "events": ["content.published"],
                           "description": "Rebuild the static site"}))]
pub struct CreateEndpoint {
    /// `https://` (or `http://`) URL whose host resolves to public addresses only.
    #[schema(max_length = 2048)]
    pub url: String,
    /// 1 to 20 event types, or `["*"]`.
    pub events: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Fields to change; absent ones stay. Enabling clears the failure count.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct UpdateEndpoint {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// How long the old secret keeps signing beside the new one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overlap_secs": 86400}))]
pub struct RotateSecret {
    /// 0 to 604,800 seconds (7 days); default 86,400 (a day).
    #[schema(minimum = 0, maximum = 604800)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub overlap_secs: Option<i64>,
}

/// One try at a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attempt {
    pub attempt: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub attempted_at: OffsetDateTime,
    /// The receiver's status code; null when no answer came (timeout, refused).
    #[schema(required)]
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    #[schema(required)]
    pub error: Option<String>,
}

/// One event sent (or being sent) to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "event_type": "content.published", "status": "delivered",
    "attempts": 1, "created_at": "2026-12-06T09:00:00Z", "delivered_at": "2026-12-06T09:00:01Z",
    "last_status_code": 204, "last_error": null, "last_latency_ms": 38,
    "history": [{"attempt": 1, "attempted_at": "2026-12-06T09:00:01Z", "status_code": 204, "latency_ms": 38, "error": null}]
}))]
pub struct Delivery {
    /// Sent as `webhook-id`: the same on every attempt and redelivery.
    pub id: Uuid,
    pub event_type: String,
    /// `pending` (queued or between retries), `delivered`, `dead` (gave up after the
    /// last attempt) or `cancelled` (the endpoint was disabled first).
    pub status: String,
    pub attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    #[schema(required)]
    pub last_status_code: Option<i32>,
    #[schema(required)]
    pub last_error: Option<String>,
    #[schema(required)]
    pub last_latency_ms: Option<i32>,
    /// Every attempt, oldest first.
    pub history: Vec<Attempt>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    /// Newest first.
    pub items: Vec<Delivery>,
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// `data` of `content.published` and `content.retired`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentEventData {
    /// The admin API's kind (`topics`, `questions`, ...).
    pub kind: String,
    pub id: Uuid,
    /// Its key in `/admin/content/{kind}/{key}`.
    pub key: String,
    /// `created`, `updated`, `restored` or `retired`.
    pub action: String,
    /// `minor` or `major` for an update; null otherwise.
    #[schema(required)]
    pub revision: Option<String>,
    /// Where to read it (the admin API: public reads need the track).
    pub href: String,
}

/// `data` of the change-set events: which change set, where it stands, and why it
/// failed (for `changeset.failed`). Read the change set for its items and diff.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0d1d3c52-3f0e-4a55-9a8e-6f4b1f2c9e10", "title": "Week 49: generators rewrite",
                           "state": "submitted", "items": 12, "failure": null,
                           "href": "/api/v1/admin/changesets/0d1d3c52-3f0e-4a55-9a8e-6f4b1f2c9e10"}))]
pub struct ChangesetEventData {
    pub id: Uuid,
    pub title: String,
    /// `submitted`, `approved`, `published` or `failed`.
    pub state: String,
    /// How many drafts it holds (held, for `published`).
    pub items: i64,
    /// For `changeset.failed`: `{at, reason, problems}` as on the change set; else null.
    #[schema(required, value_type = Option<Object>)]
    pub failure: Option<serde_json::Value>,
    /// Where to read it.
    pub href: String,
}

/// `data` of `import.applied`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportEventData {
    /// Slugs of the tracks in the bundle.
    pub tracks: Vec<String>,
    /// Entities created, updated and unchanged per kind.
    #[schema(value_type = Object)]
    pub counts: serde_json::Value,
}

/// `data` of the learner events: who did what, by id (read the details through your
/// own integration).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"learner_id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10", "object_type": "quiz",
                           "object_id": "0c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "result": "practice", "score": 0.8}))]
pub struct LearnerEventData {
    pub learner_id: Uuid,
    /// `topic` (topic.completed), `quiz` (quiz.submitted, the attempt), `flashcard`
    /// (review.recorded) or `interview` (interview.completed).
    pub object_type: String,
    pub object_id: Uuid,
    /// The quiz's mode (`practice`, `exam`) or the review's rating; null for a topic.
    #[schema(required)]
    pub result: Option<String>,
    /// A quiz's score as a share, 0 to 1; null otherwise.
    #[schema(required)]
    pub score: Option<f64>,
}
