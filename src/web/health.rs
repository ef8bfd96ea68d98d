//! Liveness and readiness for load balancers: live means the process answers, ready
//! means it can also reach PostgreSQL.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: HealthStatus,
}

/// Always `ok`: a problem is a 503 with a problem document instead.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
}

/// Liveness: the process is up.
///
/// Touches nothing else (not the database), so an orchestrator restarts the process
/// only when it is really stuck, never because PostgreSQL is down. Not cached.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_liveness",
    security(()),
    responses((status = 200, description = "The process is alive", body = Health))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    crate::web::private_ok().json(Health { status: HealthStatus::Ok })
}

/// Readiness: the process can serve requests.
///
/// 200 while PostgreSQL answers within the pool's acquire timeout; 503 (with
/// `Retry-After`) while it does not, and from the moment a shutdown signal arrives, so a
/// load balancer stops sending traffic before in-flight requests drain. Not cached.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_readiness",
    security(()),
    responses(
        (status = 200, description = "Ready to serve", body = Health),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.is_shutting_down() {
        return Err(ApiError::Unavailable);
    }
    let ping = tokio::time::timeout(state.settings.db_acquire_timeout, crate::db::ping(&state.db)).await;
    match ping {
        Ok(Ok(_)) => Ok(crate::web::private_ok().json(Health { status: HealthStatus::Ok })),
        _ => Err(ApiError::Unavailable),
    }
}
