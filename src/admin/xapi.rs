//! `GET /admin/xapi/statements`: what the xAPI forwarder sent, is sending, or gave up
//! on (a statement the LRS refused is dead at once, with the LRS's answer).

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Forbidden, Unprocessable};
use crate::pagination;
use crate::state::AppState;
use crate::web::private_ok;
use crate::xapi::store;

/// One statement and where it stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "6fbd600f-d17c-4c74-801a-2ec2e53231c6", "learner_id": "5f0c2a8e-1b7d-4c1e-9a3f-2d6b8e4f7a10",
    "event_type": "topic.completed", "status": "sent", "attempts": 1, "last_status_code": null, "last_error": null,
    "created_at": "2026-12-06T09:00:00Z", "sent_at": "2026-12-06T09:00:01Z", "statement": {}
}))]
pub struct XapiStatement {
    /// The statement's id at the LRS (the event's own id).
    pub id: Uuid,
    pub learner_id: Uuid,
    pub event_type: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    pub attempts: i32,
    #[schema(required)]
    pub last_status_code: Option<i32>,
    #[schema(required)]
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[schema(required)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    /// The statement as sent (null until the first attempt builds it).
    #[schema(required, value_type = Option<Object>)]
    pub statement: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct XapiStatementPage {
    /// Newest first.
    pub items: Vec<XapiStatement>,
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// Where a statement stands.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatementStatus {
    /// Queued, or between retries.
    Pending,
    /// Stored by the LRS.
    Sent,
    /// Refused by the LRS, or failed every attempt.
    Dead,
}

impl StatementStatus {
    fn as_str(self) -> &'static str {
        match self {
            StatementStatus::Pending => "pending",
            StatementStatus::Sent => "sent",
            StatementStatus::Dead => "dead",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementsQuery {
    /// Only statements in this state.
    #[param(inline)]
    status: Option<StatementStatus>,
    /// Statements per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

/// List xAPI statements (admin).
///
/// The statements made from learner events (of learners who share learning records)
/// for the configured learning-record store, newest first. `status=dead` lists those
/// the LRS refused or that failed every attempt, with the last answer.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_xapi_statements",
    security(("bearer_auth" = [])),
    params(StatementsQuery),
    responses(
        (status = 200, description = "A page of statements", body = XapiStatementPage),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/xapi/statements")]
pub async fn list_xapi_statements(
    _admin: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<StatementsQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = query.status.map(StatementStatus::as_str);
    let after: Option<(OffsetDateTime, Uuid)> = pagination::after::<(i128, Uuid)>(query.cursor.as_deref())?
        .map(|(nanos, id)| OffsetDateTime::from_unix_timestamp_nanos(nanos).map(|t| (t, id)))
        .transpose()
        .map_err(|_| ApiError::BadRequest("cursor is not valid; use the next_cursor of a previous page".into()))?;
    let limit = pagination::limit(query.limit)?;
    let mut rows = store::list(&state.db, status, after, limit + 1).await?;
    let next_cursor = pagination::next_cursor(&mut rows, limit, |r| {
        pagination::encode(&(r.created_at.unix_timestamp_nanos(), r.statement_id))
    });
    let items = rows
        .into_iter()
        .map(|r| XapiStatement {
            id: r.statement_id,
            learner_id: r.user_id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
            statement: r.statement,
        })
        .collect();
    Ok(private_ok().json(XapiStatementPage { items, next_cursor }))
}
