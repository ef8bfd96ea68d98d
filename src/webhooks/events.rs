//! The events webhooks carry, and how one is queued: inside the transaction of the
//! change it reports, one delivery per enabled endpoint that subscribed to it, each
//! with a job that sends it. A change that rolls back queues nothing; a committed one
//! cannot be lost.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::PgConnection;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::LearnerEventData;

/// The job kind that sends one delivery.
pub const JOB_KIND: &str = "webhook";

/// What happened. Content events go to every subscribed endpoint; learner events only
/// for learners who turned on `share_learning_records` (`PUT /me/consent`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub enum EventType {
    /// A topic, question, flashcard, quiz item, article, stage or track was created,
    /// edited or restored through the admin API.
    #[serde(rename = "content.published")]
    ContentPublished,
    /// One was retired.
    #[serde(rename = "content.retired")]
    ContentRetired,
    /// A bundle was imported (not a dry run).
    #[serde(rename = "import.applied")]
    ImportApplied,
    /// A change set was submitted for review.
    #[serde(rename = "changeset.submitted")]
    ChangesetSubmitted,
    /// A change set was approved.
    #[serde(rename = "changeset.approved")]
    ChangesetApproved,
    /// A change set was published (now, or by the scheduler).
    #[serde(rename = "changeset.published")]
    ChangesetPublished,
    /// A scheduled publish could not go ahead; nothing was published.
    #[serde(rename = "changeset.failed")]
    ChangesetFailed,
    /// A learner marked a topic done.
    #[serde(rename = "topic.completed")]
    TopicCompleted,
    /// A learner submitted a quiz (online, or practice synced from offline).
    #[serde(rename = "quiz.submitted")]
    QuizSubmitted,
    /// A learner reviewed a flashcard.
    #[serde(rename = "review.recorded")]
    ReviewRecorded,
    /// A learner finished a mock interview (every question answered or skipped, and
    /// self-graded).
    #[serde(rename = "interview.completed")]
    InterviewCompleted,
}

impl EventType {
    pub const ALL: [EventType; 11] = [
        EventType::ContentPublished,
        EventType::ContentRetired,
        EventType::ImportApplied,
        EventType::ChangesetSubmitted,
        EventType::ChangesetApproved,
        EventType::ChangesetPublished,
        EventType::ChangesetFailed,
        EventType::TopicCompleted,
        EventType::QuizSubmitted,
        EventType::ReviewRecorded,
        EventType::InterviewCompleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ContentPublished => "content.published",
            EventType::ContentRetired => "content.retired",
            EventType::ImportApplied => "import.applied",
            EventType::ChangesetSubmitted => "changeset.submitted",
            EventType::ChangesetApproved => "changeset.approved",
            EventType::ChangesetPublished => "changeset.published",
            EventType::ChangesetFailed => "changeset.failed",
            EventType::TopicCompleted => "topic.completed",
            EventType::QuizSubmitted => "quiz.submitted",
            EventType::ReviewRecorded => "review.recorded",
            EventType::InterviewCompleted => "interview.completed",
        }
    }

    pub fn parse(text: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == text)
    }

    /// Whether it reports what a learner did (and so needs their consent).
    pub fn is_learner_event(self) -> bool {
        matches!(
            self,
            EventType::TopicCompleted
                | EventType::QuizSubmitted
                | EventType::ReviewRecorded
                | EventType::InterviewCompleted
        )
    }
}

/// The body of every call: `type`, `timestamp` (when it happened) and `data` (ids and
/// links, never whole content: fetch what you need).
pub fn envelope(event: EventType, at: OffsetDateTime, data: Value) -> Value {
    let timestamp = at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    json!({"type": event.as_str(), "timestamp": timestamp, "data": data})
}

/// Queues `event` for every enabled endpoint subscribed to it, in the caller's
/// transaction; the number of sends queued.
pub async fn emit(conn: &mut PgConnection, event: EventType, at: OffsetDateTime, data: Value) -> sqlx::Result<u64> {
    queue(conn, event, envelope(event, at, data), None).await
}

/// As [`emit`], for what a learner did: nothing unless they consented to sharing.
pub async fn emit_for_learner(
    conn: &mut PgConnection,
    event: EventType,
    at: OffsetDateTime,
    data: &LearnerEventData,
) -> sqlx::Result<u64> {
    let body = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    queue(conn, event, envelope(event, at, body), Some(data.learner_id)).await
}

async fn queue(conn: &mut PgConnection, event: EventType, body: Value, learner: Option<Uuid>) -> sqlx::Result<u64> {
    // A learner event also becomes an xAPI statement when the deployment forwards them
    // (`crate::xapi`): same transaction, same consent.
    let queued = sqlx::query_scalar!(
        r#"WITH consented AS (
               SELECT $3::uuid IS NULL
                      OR EXISTS (SELECT 1 FROM app_user u WHERE u.user_id = $3 AND u.share_learning_records)
                      AS ok
           ), delivery AS (
               INSERT INTO webhook_delivery (endpoint_id, event_type, payload)
               SELECT e.endpoint_id, $1, $2 FROM webhook_endpoint e, consented
               WHERE consented.ok AND e.enabled AND ($1 = ANY (e.events) OR '*' = ANY (e.events))
               RETURNING delivery_id
           ), statement AS (
               INSERT INTO xapi_statement (statement_id, user_id, event_type, event)
               SELECT gen_random_uuid(), $3, $1, $2 FROM consented, integration_setting s
               WHERE $3::uuid IS NOT NULL AND consented.ok AND s.xapi_enabled
               RETURNING statement_id
           ), job AS (
               INSERT INTO job (kind, payload)
               SELECT $4, jsonb_build_object('delivery_id', delivery_id) FROM delivery
               UNION ALL
               SELECT $5, jsonb_build_object('statement_id', statement_id) FROM statement
               RETURNING job_id
           )
           SELECT count(*) AS "count!" FROM job"#,
        event.as_str(),
        body,
        learner,
        JOB_KIND,
        crate::xapi::JOB_KIND
    )
    .fetch_one(&mut *conn)
    .await?;
    if queued > 0 {
        // Idle workers on every instance wake when (and only if) this commits.
        sqlx::query!("SELECT pg_notify($1, '')", crate::jobs::store::QUEUED_CHANNEL).execute(&mut *conn).await?;
    }
    Ok(queued as u64)
}
