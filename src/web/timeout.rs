//! A deadline on every request: past `STUDYTRACK_REQUEST_TIMEOUT_MS` the handler's
//! future is dropped (which cancels its database work and returns its connection) and
//! the client gets 503 problem+json with `Retry-After`, instead of waiting on a request
//! that a slow dependency has stalled.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.request_timeout)
        .unwrap_or(Duration::from_secs(15));
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(result) => result,
        Err(_) => {
            crate::db::note_deadline_expired();
            Err(ApiError::TimedOut(limit.as_millis()).into())
        }
    }
}
