//! Admin use cases for webhook endpoints: each write checked, audited in its own
//! transaction, and the secret shown only when it is made.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::admin::audit::{self, AuditAction, AuditKind};
use crate::auth::AdminUser;
use crate::error::{ApiError, FieldError};
use crate::pagination;
use crate::state::AppState;
use crate::webhooks::events::EventType;
use crate::webhooks::model::*;
use crate::webhooks::{signing, store, target};

const MAX_DESCRIPTION: usize = 500;
const DEFAULT_OVERLAP_SECS: i64 = 86_400;
const MAX_OVERLAP_SECS: i64 = 7 * 86_400;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no webhook endpoint {id}"))
}

/// The checks every field gets, on create and update.
async fn check(state: &AppState, url: &str, events: &[String], description: &str) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if url.len() > 2048 {
        errors.push(FieldError::new("url", "at most 2,048 characters"));
    } else if let Err(why) = target::check(url, state.settings.webhook_allow_private).await {
        errors.push(FieldError::new("url", why));
    }
    if events.is_empty() || events.len() > 20 {
        errors.push(FieldError::new("events", "list 1 to 20 event types, or [\"*\"]"));
    }
    for (i, event) in events.iter().enumerate() {
        if event != "*" && EventType::parse(event).is_none() {
            let known: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
            errors.push(FieldError::new(format!("events[{i}]"), format!("is not one of {}", known.join(", "))));
        }
    }
    if description.chars().count() > MAX_DESCRIPTION {
        errors.push(FieldError::new("description", "at most 500 characters"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation { detail: "the endpoint is invalid".into(), errors })
    }
}

fn snapshot(endpoint: &Endpoint) -> serde_json::Value {
    serde_json::json!({"url": endpoint.url, "events": endpoint.events, "description": endpoint.description,
                       "enabled": endpoint.enabled})
}

pub async fn create(state: &AppState, admin: &AdminUser, body: CreateEndpoint) -> Result<EndpointWithSecret, ApiError> {
    let url = body.url.trim();
    check(state, url, &body.events, &body.description).await?;
    let secret = signing::new_secret();
    let mut tx = state.db.begin().await?;
    let row = store::insert(&mut tx, url, body.description.trim(), &body.events, body.enabled.unwrap_or(true), &secret)
        .await?;
    let endpoint = row.view();
    let diff = audit::diff(None, Some(&snapshot(&endpoint)));
    audit::record(&mut tx, admin, AuditKind::Webhook, Some(endpoint.id), &endpoint.url, AuditAction::Create, &diff)
        .await?;
    tx.commit().await?;
    Ok(EndpointWithSecret { endpoint, secret })
}

pub async fn list(state: &AppState) -> Result<EndpointList, ApiError> {
    Ok(EndpointList { items: store::all(&state.db).await?.iter().map(store::EndpointRow::view).collect() })
}

pub async fn get(state: &AppState, id: Uuid) -> Result<Endpoint, ApiError> {
    let row = store::get(&mut *state.db.acquire().await?, id, false).await?.ok_or_else(|| not_found(id))?;
    Ok(row.view())
}

pub async fn update(state: &AppState, admin: &AdminUser, id: Uuid, body: UpdateEndpoint) -> Result<Endpoint, ApiError> {
    let mut tx = state.db.begin().await?;
    let mut row = store::get(&mut tx, id, true).await?.ok_or_else(|| not_found(id))?;
    let before = row.view();
    if let Some(url) = body.url {
        row.url = url.trim().to_owned();
    }
    if let Some(events) = body.events {
        row.events = events;
    }
    if let Some(description) = body.description {
        row.description = description.trim().to_owned();
    }
    if let Some(enabled) = body.enabled {
        row.enabled = enabled;
    }
    check(state, &row.url, &row.events, &row.description).await?;
    let after = store::update(&mut tx, &row).await?.view();
    let diff = audit::diff(Some(&snapshot(&before)), Some(&snapshot(&after)));
    audit::record(&mut tx, admin, AuditKind::Webhook, Some(id), &after.url, AuditAction::Update, &diff).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(state: &AppState, admin: &AdminUser, id: Uuid) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let row = store::get(&mut tx, id, true).await?.ok_or_else(|| not_found(id))?;
    store::delete(&mut tx, id).await?;
    let diff = audit::diff(Some(&snapshot(&row.view())), None);
    audit::record(&mut tx, admin, AuditKind::Webhook, Some(id), &row.url, AuditAction::Delete, &diff).await?;
    tx.commit().await?;
    Ok(())
}

/// A new secret; the old one keeps signing beside it for the overlap.
pub async fn rotate(
    state: &AppState,
    admin: &AdminUser,
    id: Uuid,
    body: RotateSecret,
) -> Result<EndpointWithSecret, ApiError> {
    let overlap = body.overlap_secs.unwrap_or(DEFAULT_OVERLAP_SECS);
    if !(0..=MAX_OVERLAP_SECS).contains(&overlap) {
        return Err(ApiError::invalid("overlap_secs", format!("must be between 0 and {MAX_OVERLAP_SECS}")));
    }
    let mut tx = state.db.begin().await?;
    store::get(&mut tx, id, true).await?.ok_or_else(|| not_found(id))?;
    let secret = signing::new_secret();
    let until = OffsetDateTime::now_utc() + Duration::seconds(overlap);
    let endpoint = store::rotate(&mut tx, id, &secret, until).await?.view();
    let diff = serde_json::json!({"previous_secret_until": {"before": null, "after": until.unix_timestamp()}});
    audit::record(&mut tx, admin, AuditKind::Webhook, Some(id), &endpoint.url, AuditAction::Rotate, &diff).await?;
    tx.commit().await?;
    Ok(EndpointWithSecret { endpoint, secret })
}

fn delivery_of(row: store::DeliveryRow, history: Vec<Attempt>) -> Delivery {
    Delivery {
        id: row.delivery_id,
        event_type: row.event_type,
        status: row.status,
        attempts: row.attempts,
        created_at: row.created_at,
        delivered_at: row.delivered_at,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        last_latency_ms: row.last_latency_ms,
        history,
    }
}

pub async fn deliveries(
    state: &AppState,
    id: Uuid,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> Result<DeliveryPage, ApiError> {
    get(state, id).await?;
    let mut rows = store::deliveries(&state.db, id, after, limit + 1).await?;
    let next_cursor = pagination::next_cursor(&mut rows, limit, |r| {
        pagination::encode(&(r.created_at.unix_timestamp_nanos(), r.delivery_id))
    });
    let ids: Vec<Uuid> = rows.iter().map(|r| r.delivery_id).collect();
    let mut attempts = store::attempts(&state.db, &ids).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = attempts.drain(..).partition(|(d, _)| *d == row.delivery_id);
            attempts = rest;
            delivery_of(row, mine.into_iter().map(|(_, a)| a).collect())
        })
        .collect();
    Ok(DeliveryPage { items, next_cursor })
}

/// Sends a delivery again (same `webhook-id`), whatever became of it; 409 while it is
/// still queued.
pub async fn redeliver(state: &AppState, endpoint: Uuid, id: Uuid) -> Result<Delivery, ApiError> {
    let row = store::delivery(&state.db, id).await?.filter(|d| d.endpoint_id == endpoint);
    let row = row.ok_or_else(|| ApiError::NotFound(format!("no delivery {id} of endpoint {endpoint}")))?;
    if row.status == "pending" {
        return Err(ApiError::Conflict("the delivery is still queued; it will be sent".into()));
    }
    let mut tx = state.db.begin().await?;
    store::requeue(&mut tx, id).await?;
    tx.commit().await?;
    let row = store::delivery(&state.db, id).await?.ok_or_else(|| ApiError::NotFound(format!("no delivery {id}")))?;
    let history = store::attempts(&state.db, &[id]).await?.into_iter().map(|(_, a)| a).collect();
    Ok(delivery_of(row, history))
}
