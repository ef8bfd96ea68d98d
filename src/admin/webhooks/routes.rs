//! The webhook admin endpoints: extract, call the service, answer.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;
use uuid::Uuid;

use super::service;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Conflict, Forbidden, NotFound, Unprocessable};
use crate::pagination;
use crate::state::AppState;
use crate::web::private_ok;
use crate::webhooks::model::*;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EndpointPath {
    /// The endpoint's id.
    id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The endpoint's id.
    id: Uuid,
    /// The delivery's id (its `webhook-id`).
    delivery: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Deliveries per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

/// Subscribe a URL to events (admin).
///
/// The URL must be `https://` or `http://` and resolve to public addresses only
/// (loopback and private networks are refused unless the server runs with
/// `STUDYTRACK_WEBHOOK_ALLOW_PRIVATE=true`). Calls follow the Standard Webhooks
/// specification: headers `webhook-id` (the delivery's id, the same on every retry:
/// deduplicate on it), `webhook-timestamp` and `webhook-signature` (`v1,<base64
/// HMAC-SHA256>` under the returned `secret`), and a JSON body `{type, timestamp,
/// data}` (see the `webhooks` section of this document). Delivery is at least once,
/// not ordered; a 2xx answer within 10 seconds counts as delivered.
#[utoipa::path(
    tag = "admin",
    operation_id = "create_webhook",
    security(("bearer_auth" = [])),
    request_body = CreateEndpoint,
    responses(
        (status = 201, description = "Subscribed; the secret is shown only now", body = EndpointWithSecret),
        (status = 403, response = inline(Forbidden)),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    admin: AdminUser,
    state: web::Data<AppState>,
    body: web::Json<CreateEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let created = service::create(&state, &admin, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header(("Cache-Control", "no-store")).json(created))
}

/// List webhook endpoints (admin).
///
/// Every endpoint, oldest first, without secrets.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_webhooks",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The endpoints", body = EndpointList),
        (status = 403, response = inline(Forbidden)),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(_admin: AdminUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::list(&state).await?))
}

/// Get a webhook endpoint (admin).
///
/// Its settings and state; an endpoint the server disabled says why in
/// `disabled_reason`.
#[utoipa::path(
    tag = "admin",
    operation_id = "get_webhook",
    security(("bearer_auth" = [])),
    params(EndpointPath),
    responses(
        (status = 200, description = "The endpoint", body = Endpoint),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    _admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EndpointPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::get(&state, path.id).await?))
}

/// Change a webhook endpoint (admin).
///
/// URL, events, description, or `enabled` (enabling again after the server disabled
/// it clears its failure count). Events queued while it was disabled are not sent.
#[utoipa::path(
    tag = "admin",
    operation_id = "update_webhook",
    security(("bearer_auth" = [])),
    params(EndpointPath),
    request_body = UpdateEndpoint,
    responses(
        (status = 200, description = "The endpoint", body = Endpoint),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EndpointPath>,
    body: web::Json<UpdateEndpoint>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::update(&state, &admin, path.id, body.into_inner()).await?))
}

/// Delete a webhook endpoint (admin).
///
/// With its delivery history; nothing more is sent to it.
#[utoipa::path(
    tag = "admin",
    operation_id = "delete_webhook",
    security(("bearer_auth" = [])),
    params(EndpointPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EndpointPath>,
) -> Result<HttpResponse, ApiError> {
    service::delete(&state, &admin, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook endpoint's secret (admin).
///
/// Returns the new secret (shown only now). Until `previous_secret_until` every call
/// carries two signatures, one per secret, so the receiver can switch at its own pace.
#[utoipa::path(
    tag = "admin",
    operation_id = "rotate_webhook_secret",
    security(("bearer_auth" = [])),
    params(EndpointPath),
    request_body = RotateSecret,
    responses(
        (status = 200, description = "The new secret", body = EndpointWithSecret),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EndpointPath>,
    body: web::Json<RotateSecret>,
) -> Result<HttpResponse, ApiError> {
    let rotated = service::rotate(&state, &admin, path.id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(rotated))
}

/// List an endpoint's deliveries (admin).
///
/// Newest first, each with its status, attempts, response codes and latency.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_webhook_deliveries",
    security(("bearer_auth" = [])),
    params(EndpointPath, DeliveriesQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    _admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<EndpointPath>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let after: Option<(OffsetDateTime, Uuid)> = pagination::after::<(i128, Uuid)>(query.cursor.as_deref())?
        .map(|(nanos, id)| OffsetDateTime::from_unix_timestamp_nanos(nanos).map(|t| (t, id)))
        .transpose()
        .map_err(|_| ApiError::BadRequest("cursor is not valid; use the next_cursor of a previous page".into()))?;
    let page = service::deliveries(&state, path.id, after, pagination::limit(query.limit)?).await?;
    Ok(private_ok().json(page))
}

/// Send a delivery again (admin).
///
/// Queues it once more with the same `webhook-id`, whatever became of it (a receiver
/// that already has it deduplicates). 409 while it is still queued.
#[utoipa::path(
    tag = "admin",
    operation_id = "redeliver_webhook",
    security(("bearer_auth" = [])),
    params(DeliveryPath),
    responses(
        (status = 202, description = "Queued again", body = Delivery),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(Conflict)),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redeliver")]
pub async fn redeliver_webhook(
    _admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<DeliveryPath>,
) -> Result<HttpResponse, ApiError> {
    let delivery = service::redeliver(&state, path.id, path.delivery).await?;
    Ok(HttpResponse::Accepted().insert_header(("Cache-Control", "no-store")).json(delivery))
}
