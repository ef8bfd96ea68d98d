//! `GET /metrics` and the middleware that times and counts every request.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, get, web};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::metrics::Scrape;
use crate::state::AppState;
use crate::web::fallback::RouteTable;

/// Times and counts every request under its route template (`/api/v1/tracks/{track}`),
/// never its raw path, so label sets stay bounded whatever clients send.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().as_str().to_owned();
    // A cheap handle on the path (a reference count), for naming the route of a
    // request whose answer is an error raised inside (the deadline), which comes back
    // without its request.
    let uri = req.uri().clone();
    let table = req.app_data::<web::Data<RouteTable>>().cloned();
    let result = next.call(req).await;
    if let Some(state) = state {
        let route = route_template(&result, uri.path(), table.as_ref().map(|t| t.get_ref()));
        let status = match &result {
            Ok(res) => res.status(),
            Err(err) => err.as_response_error().status_code(),
        };
        // Anything but the standard methods is folded into one label value.
        let method = if ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&method.as_str()) {
            method.as_str()
        } else {
            "other"
        };
        state.metrics.observe(method, &route, status.as_u16(), started.elapsed().as_secs_f64());
        // Login, registration and confirmation throttles count themselves by name.
        if matches!(&result, Ok(res) if res.response().extensions().contains::<crate::web::rate_limit::RateLimited>()) {
            state.metrics.throttled("rate-limit");
        }
        let unavailable = match &result {
            Ok(res) => res.response().extensions().contains::<crate::error::DatabaseUnavailable>(),
            Err(err) => matches!(err.as_error::<ApiError>(), Some(ApiError::Unavailable)),
        };
        if unavailable {
            state.metrics.database_unavailable();
        }
    }
    result
}

/// The route template the request was answered under. Once actix has routed a request
/// it knows which resource matched, so reading the template back is a walk of indices,
/// not a second run of every route's regex (which once cost as much CPU as routing;
/// only a path no resource took, a 404 or 405, is matched again). An error raised
/// inside (the deadline) comes back without its request, so its path is matched
/// against the route table instead: the slow way, on a rare path.
fn route_template<B>(
    result: &Result<ServiceResponse<B>, actix_web::Error>,
    path: &str,
    table: Option<&RouteTable>,
) -> String {
    let template = match result {
        Ok(res) => res.request().match_pattern(),
        Err(_) => table.and_then(|t| t.template(path)).map(str::to_owned),
    };
    template.unwrap_or_else(|| "unmatched".to_owned())
}

/// Prometheus metrics.
///
/// Text exposition format 0.0.4. Request counts and latency histograms by route
/// template and status, database pool connections and acquire timeouts, content cache
/// lookups, content reads per pool, and throttled requests. See the README for every
/// series. Not public: served only when `STUDYTRACK_METRICS_TOKEN` is set, to callers
/// that send it as a bearer token (404 otherwise, 401 with a wrong token).
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Metrics in the Prometheus text format", content_type = "text/plain; version=0.0.4",
         body = String, example = "studytrack_http_requests_total{method=\"GET\",route=\"/api/v1/tracks\",status=\"200\"} 42\n"),
        (status = 401, response = inline(crate::openapi::responses::Unauthorized)),
        (status = 404, response = inline(crate::openapi::responses::NotFound)),
        (status = 500, response = inline(crate::openapi::responses::InternalError)),
    )
)]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(expected) = &state.settings.metrics_token else {
        return Err(ApiError::NotFound("metrics are not served here (STUDYTRACK_METRICS_TOKEN is unset)".into()));
    };
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Digests are compared, so the time taken says nothing about the token's prefix.
    if Sha256::digest(given.trim().as_bytes()) != Sha256::digest(expected.expose_secret().as_bytes()) {
        return Err(ApiError::Unauthorized("the metrics token is missing or wrong".into()));
    }
    let body = state.metrics.render(&scrape_of(&state)).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// What a scrape reads from this instance's state.
fn scrape_of(state: &AppState) -> Scrape<'_> {
    let stats = &state.cache.stats;
    Scrape {
        pool_size: state.db.size(),
        pool_idle: state.db.num_idle(),
        pool_max: state.settings.db_max_connections,
        cache: [("hit", &stats.hits), ("miss", &stats.misses), ("bypass", &stats.bypasses)],
        learner_memo: [("hit", &state.learners.hits), ("miss", &state.learners.misses)],
        content_reads: [("primary", &state.reads.primary_reads), ("replica", &state.reads.replica_reads)],
    }
}
